using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Ssl
{
    /// <summary>
    /// The single-certificate rules under the SSL strategy: what a domain gets in advanced mode (redeploy or install),
    /// and the app's redeploy that is never re-sent blindly. The decision of what to order, and when, is the SSL
    /// strategy's (Ssl/SslStrategy), and every path reaches it through the apply engine (Sync/AppSyncEngine); it uses
    /// the documented PUT .../ssl/{id}, never the Ultimate Multisite v3 integration's undocumented
    /// PATCH .../ssl/advanced/{id}/redeploy.
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

        /// <summary>
        /// PUT .../ssl/{id} for the app's certificate <paramref name="before"/>. After an ambiguous failure it looks before
        /// re-sending (a redeploy is a certificate issuance: Let's Encrypt allows 5 duplicates a week): when the certificate
        /// visibly changed it was applied; otherwise the error is rethrown, not re-sent (the journal keeps it owed).
        /// </summary>
        public static async Task RedeployAppAsync(RunCloudService service, long s, long w, RunCloudSsl before, CancellationToken ct)
        {
            try
            {
                await service.RedeploySslAsync(s, w, before.Id!.Value, ct).ConfigureAwait(false);
            }
            catch (RunCloudApiException ex) when (ex.MayHaveBeenApplied)
            {
                RunCloudSsl after = await service.GetSslAsync(s, w, ct).ConfigureAwait(false);
                if (after.Installed && after.Id == before.Id && (after.ValidUntil != before.ValidUntil || after.RenewalDate != before.RenewalDate))
                {
                    service.Log?.Verbose($"RunCloud: the SSL redeploy of web app {w} failed ambiguously ({ex.Message}), but the certificate was re-issued; not sending it again.");
                    return;
                }

                throw;
            }
        }
    }
}
