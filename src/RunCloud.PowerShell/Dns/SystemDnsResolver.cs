using System;
using System.Collections.Generic;
using System.Net;

namespace RunCloud.PowerShell.Dns
{

    /// <summary>The operating system's resolver (follows CNAMEs itself; reports no chain).</summary>
    internal sealed class SystemDnsResolver : IDnsResolver
    {
        public async System.Threading.Tasks.Task<DnsAnswer> ResolveAsync(string name, System.Threading.CancellationToken ct)
        {
            var answer = new DnsAnswer();
            try
            {
                IPAddress[] addresses = await System.Net.Dns.GetHostAddressesAsync(name).ConfigureAwait(false);
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
