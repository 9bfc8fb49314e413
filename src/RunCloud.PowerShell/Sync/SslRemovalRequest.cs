using System.Collections.Generic;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// What Remove-RunCloudSsl asks for: one certificate piped from Get-RunCloudSsl, the certificate of one piped domain,
    /// or (neither) the web app's certificate in basic mode, its domains' (those <see cref="Names"/> choose) in advanced mode.
    /// </summary>
    internal sealed class SslRemovalRequest
    {
        public SslRemovalRequest(IReadOnlyList<string>? names, RunCloudSsl? certificate, RunCloudDomain? domain)
        {
            Names = names;
            Certificate = certificate;
            Domain = domain;
        }

        /// <summary>Advanced mode: only these domains' certificates (wildcards allowed); null: every domain's.</summary>
        public IReadOnlyList<string>? Names { get; }

        /// <summary>A certificate piped from Get-RunCloudSsl: exactly that one (an app's, or a domain's in advanced mode).</summary>
        public RunCloudSsl? Certificate { get; }

        /// <summary>A domain piped from Get-RunCloudDomain: its own certificate (advanced mode); none is an error.</summary>
        public RunCloudDomain? Domain { get; }
    }
}
