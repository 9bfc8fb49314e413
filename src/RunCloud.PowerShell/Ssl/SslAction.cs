using System;
using System.Collections.Generic;
using System.Linq;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Ssl
{

    internal sealed class SslAction
    {
        public SslAction(SslActionKind kind, RunCloudDomain? domain, long? sslId, IReadOnlyCollection<string> names)
        {
            Kind = kind;
            Domain = domain;
            SslId = sslId;
            Names = names;
        }

        public SslActionKind Kind { get; }
        public RunCloudDomain? Domain { get; }
        public long? SslId { get; }

        /// <summary>The names the certificate will carry (counted against Let's Encrypt's limits).</summary>
        public IReadOnlyCollection<string> Names { get; }

        public override string ToString() => Kind switch
        {
            SslActionKind.RedeployApp => $"Redeploy the web app's SSL certificate {SslId} for its {Names.Count} name(s)",
            SslActionKind.InstallApp => $"Install a certificate for the web app's {Names.Count} name(s)",
            SslActionKind.InstallDomain => $"Install a certificate for {Domain!.Name} ({string.Join(", ", Names)})",
            _ => $"Redeploy the certificate {SslId} of {Domain!.Name}",
        };
    }
}
