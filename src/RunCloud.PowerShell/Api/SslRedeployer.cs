using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Api
{
    /// <summary>
    /// The per-domain SSL rule (advanced mode). The decision of what to order, and when, is the SSL strategy's
    /// (Sync/SslStrategy): it uses the documented PUT .../ssl/{id}, never the Ultimate Multisite v3 integration's
    /// undocumented PATCH .../ssl/advanced/{id}/redeploy.
    /// </summary>
    internal static class SslRedeployer
    {
        /// <summary>
        /// The one home of the per-domain rule (advanced SSL mode), used by -ResetSsl/Sync and by Reset-RunCloudSsl:
        /// a domain with a certificate gets it redeployed, one without (or with <paramref name="reinstall"/>) gets one installed.
        /// </summary>
        public static DomainSslAction DecideForDomain(RunCloudSsl current, bool reinstall) =>
            current.Installed && current.Id.HasValue && !reinstall ? DomainSslAction.Redeploy : DomainSslAction.Install;

        /// <summary>Carries out <paramref name="action"/> for one domain whose current state is <paramref name="current"/>.</summary>
        public static Task ApplyToDomainAsync(RunCloudService service, RunCloudDomain domain, RunCloudSsl current, DomainSslAction action,
            SslInstallRequest request, CancellationToken ct) =>
            action == DomainSslAction.Redeploy
                ? service.RedeployDomainSslAsync(domain, current.Id!.Value, ct)
                : service.InstallDomainSslAsync(domain, request, ct);
    }
}
