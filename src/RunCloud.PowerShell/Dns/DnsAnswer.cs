using System;
using System.Collections.Generic;
using System.Net;

namespace RunCloud.PowerShell.Dns
{

    /// <summary>What a resolver found for one name: its addresses (after CNAMEs), the CNAME chain, or an error.</summary>
    internal sealed class DnsAnswer
    {
        public List<IPAddress> Addresses { get; } = new List<IPAddress>();
        public List<string> Cnames { get; } = new List<string>();

        /// <summary>Set when the name could not be resolved (NXDOMAIN, no records, timeout).</summary>
        public string? Error { get; set; }
    }
}
