using System.Collections.Generic;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Sync.Status
{
    /// <summary>What RunCloud says about a web app's certificates: its mode, the app's certificate (basic), each domain's own (advanced).</summary>
    internal sealed class TargetSslState
    {
        /// <summary>Advanced SSL: one certificate per domain (GET .../ssl/advanced).</summary>
        public bool Advanced { get; set; }

        /// <summary>Basic mode: the web app's certificate (Installed false when it has none).</summary>
        public RunCloudSsl? AppSsl { get; set; }

        /// <summary>Advanced mode: each domain's own certificate, by domain id.</summary>
        public Dictionary<long, RunCloudSsl> DomainSsl { get; } = new Dictionary<long, RunCloudSsl>();
    }
}
