using System;
using System.Collections.Generic;
using System.Net;

namespace RunCloud.PowerShell.Dns
{

    /// <summary>Answers A/AAAA questions, following CNAMEs. The seam tests replace.</summary>
    internal interface IDnsResolver
    {
        System.Threading.Tasks.Task<DnsAnswer> ResolveAsync(string name, System.Threading.CancellationToken ct);
    }
}
