using System;
using System.Collections.Generic;
using System.Net;

namespace RunCloud.PowerShell.Api.Ssl
{
    /// <summary>What a resolver found for one name: its addresses (after CNAMEs), the CNAME chain, or an error.</summary>
    internal sealed class DnsAnswer
    {
        public List<IPAddress> Addresses { get; } = new List<IPAddress>();
        public List<string> Cnames { get; } = new List<string>();

        /// <summary>Set when the name could not be resolved (NXDOMAIN, no records, timeout).</summary>
        public string? Error { get; set; }
    }

    /// <summary>Answers A/AAAA questions, following CNAMEs. The seam tests replace.</summary>
    internal interface IDnsResolver
    {
        System.Threading.Tasks.Task<DnsAnswer> ResolveAsync(string name, System.Threading.CancellationToken ct);
    }

    /// <summary>The operating system's resolver (follows CNAMEs itself; reports no chain).</summary>
    internal sealed class SystemDnsResolver : IDnsResolver
    {
        public async System.Threading.Tasks.Task<DnsAnswer> ResolveAsync(string name, System.Threading.CancellationToken ct)
        {
            var answer = new DnsAnswer();
            try
            {
                IPAddress[] addresses = await Dns.GetHostAddressesAsync(name).ConfigureAwait(false);
                answer.Addresses.AddRange(addresses);
                if (addresses.Length == 0) answer.Error = "no A or AAAA record";
            }
            catch (System.Net.Sockets.SocketException ex)
            {
                answer.Error = ex.Message;
            }

            return answer;
        }
    }
}
