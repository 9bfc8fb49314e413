using System.Collections.Generic;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Http;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>What Reset-RunCloudSsl asks for: the install settings, -Reinstall, and the domains (advanced mode) it is about.</summary>
    internal sealed class SslResetRequest
    {
        public SslResetRequest(SslInstallRequest install, bool reinstall, IReadOnlyList<string>? names)
        {
            Install = install;
            Reinstall = reinstall;
            Names = names;
        }

        /// <summary>The certificate to install (provider, validation, settings; a custom certificate's PEM).</summary>
        public SslInstallRequest Install { get; }

        /// <summary>Replace the certificate instead of redeploying it.</summary>
        public bool Reinstall { get; }

        /// <summary>Advanced mode: only the domains matching these wildcards; null: every domain that needs one.</summary>
        public IReadOnlyList<string>? Names { get; }

        public bool Custom => Install.Provider == "custom";

        /// <summary>The connection's retry policy: an install after an uninstall is retried by it (it is never re-sent blindly).</summary>
        public RetryPolicy? RetryPolicy { get; set; }
    }
}
