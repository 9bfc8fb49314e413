using System;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// The two domain changes, each as RunCloud answered it: the apply engine's steps, and what Add-/Remove-RunCloudDomain
    /// send on their own when no SSL step follows (without -ResetSsl). What is reported is what was observed: "already
    /// there" and "already gone" are outcomes of their own, never counted as done by this run.
    /// </summary>
    internal static class DomainChanges
    {
        /// <summary>
        /// POST .../domains. <see cref="AddObserved.AlreadyHere"/> when RunCloud says the name is taken and it is on this
        /// app; <see cref="AddObserved.TakenElsewhere"/> when it is taken but not on this app (another app of the server
        /// serves it); <see cref="AddObserved.Taken"/> when it was not looked up.
        /// </summary>
        public static async Task<(AddObserved Observed, RunCloudDomain? Domain)> AddAsync(RunCloudService service, long serverId, long webAppId, DomainRequest request,
            bool lookUpExisting, CancellationToken ct)
        {
            AddResult result = await service.AddDomainAsync(serverId, webAppId, request, ct, lookUpExisting).ConfigureAwait(false);
            if (result.Outcome != AddOutcome.AlreadyExists) return (result.Outcome == AddOutcome.Recovered ? AddObserved.Recovered : AddObserved.Added, result.Domain);
            if (!lookUpExisting) return (AddObserved.Taken, null);
            return result.Domain != null ? (AddObserved.AlreadyHere, result.Domain) : (AddObserved.TakenElsewhere, null);
        }

        /// <summary>The failure of an add RunCloud refused because another app of the server serves the name.</summary>
        public static RunCloudSyncFailure TakenElsewhere(string name, string app) =>
            new RunCloudSyncFailure(name, "Add", ErrorIds.DomainAlreadyExists,
                $"RunCloud says {name} is already taken, but it is not on {app}: another web app on the server probably serves it. Remove it there first.");

        /// <summary>
        /// DELETE .../domains/{d}; in advanced SSL mode the domain's own certificate goes first (DELETE .../domains/{d}/ssl/{ssl}),
        /// so none is left orphaned. <paramref name="certificate"/> is the domain's certificate when the caller read it
        /// already; null reads it (advanced mode only). Returns false when the domain is gone already (a 404 that a fresh read confirms; see RunCloudService.RemoveDomainAsync).
        /// </summary>
        public static async Task<bool> RemoveAsync(RunCloudService service, RunCloudDomain domain, bool advanced, RunCloudSsl? certificate,
            IRunCloudLog? log, CancellationToken ct)
        {
            if (advanced)
            {
                RunCloudSsl ssl = certificate ?? await service.GetDomainSslAsync(domain, ct).ConfigureAwait(false);
                if (ssl.Installed && ssl.Id.HasValue)
                {
                    // A 404 is judged by the state (RunCloudService): gone with its domain or replaced since it was read is
                    // "already gone" (no orphan of ours is left); still installed after a 404 is an error.
                    bool released = await service.UninstallDomainSslAsync(domain, ssl.Id.Value, ct).ConfigureAwait(false);
                    log?.Verbose(released
                        ? $"RunCloud: removed the certificate of {domain.Name} (advanced SSL)."
                        : $"RunCloud: the certificate {ssl.Id} of {domain.Name} was already gone.");
                }
            }

            return await service.RemoveDomainAsync(domain.ServerId, domain.WebAppId, domain.Id, ct, domain.Name.Length > 0 ? domain.Name : null).ConfigureAwait(false);
        }

        /// <summary>
        /// Whether the app is in advanced SSL mode, for a removal that must release the domain's own certificate: an app
        /// with an app-wide certificate is in basic mode (one GET), otherwise the mode is read (two).
        /// </summary>
        public static async Task<bool> IsAdvancedAsync(RunCloudService service, long serverId, long webAppId, CancellationToken ct)
        {
            RunCloudSsl appSsl = await service.GetSslAsync(serverId, webAppId, ct).ConfigureAwait(false);
            return !appSsl.Installed && (await service.GetSslModeAsync(serverId, webAppId, ct).ConfigureAwait(false)).Advanced;
        }
    }
}
