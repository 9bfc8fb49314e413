using System;
using System.Collections.Generic;
using System.Linq;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Ssl
{

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

        /// <summary>The app's certificate as read when planning (a redeploy after an ambiguous failure compares against it).</summary>
        internal Models.RunCloudSsl? AppSsl { get; set; }

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
