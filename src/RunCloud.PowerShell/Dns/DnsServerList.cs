using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace RunCloud.PowerShell.Dns
{

    /// <summary>-DnsServer values: resolver addresses (UDP, port 53 by default) and DNS-over-HTTPS JSON endpoints.</summary>
    internal sealed class DnsServerList
    {
        public List<IPEndPoint> Udp { get; } = new List<IPEndPoint>();
        public List<Uri> Doh { get; } = new List<Uri>();

        public bool IsEmpty => Udp.Count == 0 && Doh.Count == 0;

        /// <summary>Parses one value; false with the problem and the fix.</summary>
        public bool TryAdd(string text, out string problem)
        {
            problem = string.Empty;
            string t = text.Trim();
            if (t.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || t.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            {
                if (!Uri.TryCreate(t, UriKind.Absolute, out Uri? uri))
                {
                    problem = $"'{text}' is not a valid URL";
                    return false;
                }

                if (uri.Scheme == Uri.UriSchemeHttp && !(uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? host) && IPAddress.IsLoopback(host))))
                {
                    problem = $"'{text}' is plain http: a DNS-over-HTTPS endpoint must be https (http only on a loopback address, such as the emulator's)";
                    return false;
                }

                Doh.Add(uri);
                return true;
            }

            IPEndPoint? endpoint = UdpDnsResolver.ParseServer(t, out problem);
            if (endpoint == null)
            {
                problem += ", or a DNS-over-HTTPS URL such as https://cloudflare-dns.com/dns-query";
                return false;
            }

            Udp.Add(endpoint);
            return true;
        }

        public IDnsResolver? Resolver(TimeSpan timeout) =>
            Doh.Count > 0 ? new DohJsonResolver(Doh) : Udp.Count > 0 ? new UdpDnsResolver(Udp, timeout) : null;
    }
}
