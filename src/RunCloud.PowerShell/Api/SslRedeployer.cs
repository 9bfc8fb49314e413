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
                        PipelineLog.Current?.Verbose($"RunCloud: the SSL redeploy of web app {w} failed ambiguously ({ex.Message}), but the certificate was re-issued; not sending it again.");
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
                if (perDomain.Installed && perDomain.Id.HasValue)
                {
                    await service.RedeployDomainSslAsync(domain, perDomain.Id.Value, ct).ConfigureAwait(false);
                }
                else
                {
                    await service.InstallDomainSslAsync(domain, new SslInstallRequest(), ct).ConfigureAwait(false);
                }
            }

            return RedeployOutcome.PerDomain;
        }
    }
}
