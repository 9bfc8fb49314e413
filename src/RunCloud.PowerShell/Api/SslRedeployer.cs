using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Api
{
    /// <summary>
    /// "Reinstall SSL" after domains changed, with the documented calls (not the Ultimate Multisite v3 integration's
    /// undocumented PATCH .../ssl/advanced/{id}/redeploy): GET .../ssl, and when it has an id, PUT .../ssl/{id} once.
    /// Only when the app has no app-wide certificate is the SSL mode read; in advanced mode each changed domain gets
    /// its own certificate (re)deployed instead.
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

        public static async Task<RedeployOutcome> RedeployAsync(RunCloudService service, long s, long w,
            IReadOnlyCollection<RunCloudDomain> addedDomains, CancellationToken ct)
        {
            RunCloudSsl ssl = await service.GetSslAsync(s, w, ct).ConfigureAwait(false);
            if (ssl.Installed && ssl.Id.HasValue)
            {
                try
                {
                    await service.RedeploySslAsync(s, w, ssl.Id.Value, ct).ConfigureAwait(false);
                }
                catch (RunCloudApiException ex) when (ex.MayHaveBeenApplied)
                {
                    // Look before re-sending: a redeploy is a certificate issuance (Let's Encrypt allows 5 duplicates a week).
                    RunCloudSsl after = await service.GetSslAsync(s, w, ct).ConfigureAwait(false);
                    if (after.Installed && after.Id == ssl.Id && (after.ValidUntil != ssl.ValidUntil || after.RenewalDate != ssl.RenewalDate))
                    {
                        service.Log?.Verbose($"RunCloud: the SSL redeploy of web app {w} failed ambiguously ({ex.Message}), but the certificate was re-issued; not sending it again.");
                        return RedeployOutcome.Redeployed;
                    }

                    throw; // not visibly applied: not re-sent now; the journal keeps it owed for the next run
                }

                return RedeployOutcome.Redeployed;
            }

            var (advanced, _) = await service.GetSslModeAsync(s, w, ct).ConfigureAwait(false);
            if (!advanced) return RedeployOutcome.NoSsl;

            foreach (RunCloudDomain domain in addedDomains)
            {
                RunCloudSsl perDomain = await service.GetDomainSslAsync(domain, ct).ConfigureAwait(false);
                await ApplyToDomainAsync(service, domain, perDomain, DecideForDomain(perDomain, reinstall: false), new SslInstallRequest(), ct).ConfigureAwait(false);
            }

            return RedeployOutcome.PerDomain;
        }
    }
}
