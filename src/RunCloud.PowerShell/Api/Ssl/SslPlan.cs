using System;
using System.Collections.Generic;
using System.Linq;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Api.Ssl
{
    /// <summary>What one SSL action does.</summary>
    internal enum SslActionKind
    {
        /// <summary>Basic mode: PUT .../ssl/{id}, one certificate for every name of the app.</summary>
        RedeployApp,

        /// <summary>Basic mode without a certificate: POST .../ssl (Reset-RunCloudSsl).</summary>
        InstallApp,

        /// <summary>Advanced mode: POST .../domains/{d}/ssl, the domain's own certificate.</summary>
        InstallDomain,

        /// <summary>Advanced mode: PUT .../domains/{d}/ssl/{ssl}.</summary>
        RedeployDomain,
    }

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

    /// <summary>
    /// The SSL strategy's decision for one web app: the actions to take, the names that are not DNS-ready (not asked
    /// for yet), and, when the certificate cannot be (re)issued at all, why (<see cref="RefusalErrorId"/> and
    /// <see cref="Message"/>, which also says what to do).
    /// </summary>
    internal sealed class SslPlan
    {
        public long ServerId { get; set; }
        public long WebAppId { get; set; }
        public bool Advanced { get; set; }

        /// <summary>False when the app has no certificate at all in basic mode (nothing to redeploy).</summary>
        public bool HasSsl { get; set; }

        /// <summary>Host names (www. variants included) a basic-mode certificate would carry.</summary>
        public int NameCount { get; set; }

        public List<SslAction> Actions { get; } = new List<SslAction>();
        public List<RunCloudDnsCheck> NotReady { get; } = new List<RunCloudDnsCheck>();

        /// <summary>Names whose order Let's Encrypt's limits do not allow yet, with the reason and the date.</summary>
        public List<string> Deferred { get; } = new List<string>();

        public string? RefusalErrorId { get; set; }
        public string? Message { get; set; }

        /// <summary>What to do about a refusal (the ErrorRecord's recommended action).</summary>
        public string? Hint { get; set; }

        public DateTime? PossibleAt { get; set; }

        public bool Refused => RefusalErrorId != null;

        public override string ToString() =>
            Refused ? Message ?? RefusalErrorId!
            : $"{(Advanced ? "advanced" : "basic")} SSL: {Actions.Count} action(s), {NotReady.Count} name(s) not DNS-ready, {Deferred.Count} deferred";
    }
}
