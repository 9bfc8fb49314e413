using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Ssl;
using RunCloud.PowerShell.State;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// The SSL step after an apply's domain changes: the SSL strategy with all its checks (names per certificate, DNS
    /// readiness, Let's Encrypt's budget), run when this run changed something, a previous run left a redeploy owed, names
    /// wait for DNS, or -ResetSsl. What is still owed stays in the journal; it is cleared only after success.
    /// </summary>
    internal static class SslStep
    {
        private const string FinishesIt = " It stays owed in the journal, and the next Sync-RunCloudDomain, Add-/Remove-RunCloudDomain -ResetSsl or Reset-RunCloudSsl on this app finishes it.";

        public static async Task RunAsync(PreparedApply p, IApplyHost host, AppOutcome outcome, bool changed, bool owedBefore, string? reasonBefore, int total,
            CancellationToken ct)
        {
            AppTarget t = p.Target;
            AppRunOptions o = p.Request.Options;
            string app = t.Label;
            AppJournal? journal = p.Journal;
            if (journal != null && !changed && !owedBefore)
            {
                // This run owed a redeploy for changes it ended up not making: nothing is owed.
                journal.SslRedeployPending = false;
                journal.SslReason = null;
                AppSyncEngine.Save(p);
            }

            bool owed = journal != null && (journal.SslRedeployPending || journal.SslDomains.Count > 0 || journal.SslReinstall != null || p.PreviouslyAdded.Count > 0);
            if (o.NoSslReset)
            {
                if (owed)
                {
                    outcome.StillPending = $"SSL redeploy of {app} ({journal!.SslReason})";
                    host.Warning($"-NoSslReset: the certificate of {app} may not cover its names ({journal.SslReason}). The redeploy stays owed in the journal; "
                        + "the next run without -NoSslReset (or Reset-RunCloudSsl) does it.");
                }

                return;
            }

            bool waiting = journal?.GetExtension(SslJournalData.Owner, SslJournalData.FromJson)?.NotReady.Count > 0;
            if (waiting) host.Verbose($"RunCloud: {app} has names an earlier run could not cover yet (see its journal); checking them again.");
            if (!(owed || o.ResetSsl || waiting)) return;
            ApplyStep? step = p.Steps.FirstOrDefault(s => s.Kind == ApplyStepKind.FollowSsl);
            if (step == null || !step.Approved)
            {
                if (owed) outcome.StillPending = $"SSL redeploy of {app} (declined; still owed in the journal)";
                return;
            }

            host.Progress("Redeploying the SSL certificate", total, total);
            journal ??= p.Journal = AppJournal.For(t.Key, t.BaseUri, o.Clock());
            try
            {
                if (journal.SslReinstall != null)
                {
                    if (!await FinishReinstallAsync(p, journal, outcome, ct).ConfigureAwait(false))
                    {
                        outcome.StillPending = $"certificate reinstall of {app}";
                        return;
                    }

                    // A fresh certificate covers every current name: no redeploy on top of it.
                    outcome.SslRedeployed = true;
                    outcome.FinishedPending.Add("certificate reinstall owed by a previous Reset-RunCloudSsl -Reinstall (the app had none)");
                    Clear(journal);
                    AppSyncEngine.Save(p);
                    AppSyncEngine.Step("ssl redeployed");
                    return;
                }

                // The strategy records into this run's journal (its "ssl" extension), which is saved here.
                SslOptions ssl = p.Ssl;
                ssl.Journal = journal;
                ssl.Store = p.Store;
                ssl.Clock = o.Clock;
                ssl.JustAdded = new HashSet<long>(outcome.AddedDomains.Where(d => d.Id > 0).Select(d => d.Id));
                List<RunCloudDomain> perDomain = AppSyncEngine.Changed(p, outcome.AddedDomains);
                SslRunResult result;
                try
                {
                    result = await SslStrategy.RunAsync(t.Service, t.Key, t.BaseUri, t.ServerId, t.WebAppId, perDomain, ssl, ct, After(p, outcome)).ConfigureAwait(false);
                }
                catch (SslRefusedException ex)
                {
                    AppSyncEngine.Save(p);
                    outcome.StillPending = $"SSL redeploy of {app} (refused: {ex.ErrorId})";
                    outcome.Failures.Add(new AppFailure(new RunCloudSyncFailure(app, "RedeploySsl", ex.ErrorId, ex.Message + (ex.Hint == null ? string.Empty : " " + ex.Hint)), ex, app));
                    return;
                }

                outcome.NoCertificate = result.Outcome == RedeployOutcome.NoSsl;
                var failed = new HashSet<SslAction>(result.Failures.Select(f => f.Action));
                outcome.SslOrders.AddRange(result.Plan.Actions.Where(a => !failed.Contains(a)));
                // Only what was observed: at least one order this run sent succeeded (in basic mode, the one redeploy).
                outcome.SslRedeployed = outcome.SslOrders.Count > 0;
                outcome.SslNotReady.AddRange(result.Plan.NotReady);
                outcome.SslDeferred.AddRange(result.Plan.Deferred);
                foreach (var (action, error) in result.Failures)
                {
                    outcome.Failures.Add(new AppFailure(new RunCloudSyncFailure(action.Domain?.Name ?? app, "RedeploySsl", error.ErrorId,
                        error.Message + " The certificate may not cover the web app's names." + FinishesIt), error, (object?)action.Domain ?? app));
                }

                foreach (RunCloudDnsCheck check in result.Plan.NotReady)
                {
                    host.Warning($"No certificate requested for {check.Name} yet ({check.Status}): {check.Message} It stays on the app and is retried by the next run.");
                }

                foreach (string deferred in result.Plan.Deferred) host.Warning("Certificate deferred by Let's Encrypt's limits: " + deferred);
                host.Verbose(result.Outcome == RedeployOutcome.NoSsl
                    ? $"RunCloud: {app} has no SSL certificate; none was redeployed."
                    : $"RunCloud: SSL of {app} brought up to date ({result.Outcome}, {outcome.SslOrders.Count} order(s)).");
                AppSyncEngine.Step("ssl redeployed");
                if (result.Failures.Count > 0)
                {
                    // What failed stays owed: the failed domains' orders (advanced) or the app's redeploy (basic).
                    var failedIds = new HashSet<long>(result.Failures.Where(f => f.Action.Domain != null).Select(f => f.Action.Domain!.Id));
                    bool appLevel = result.Failures.Any(f => f.Action.Domain == null);
                    if (!appLevel) journal.SslDomains.RemoveAll(j => !failedIds.Contains(j.Id));
                    foreach (RunCloudDomain d in result.Failures.Select(f => f.Action.Domain).Where(d => d != null)!)
                    {
                        if (!journal.SslDomains.Any(j => j.Id == d!.Id)) journal.SslDomains.Add(new JournalDomain { Id = d!.Id, Name = d.Name });
                    }

                    if (appLevel) journal.OweSslRedeploy(journal.SslReason ?? $"{o.Command}: the SSL redeploy failed");
                    journal.PendingAdds.Clear();
                    journal.PendingRemovals.Clear();
                    AppSyncEngine.Save(p);
                    outcome.StillPending = $"SSL redeploy of {app}";
                }
                else
                {
                    if (owedBefore) outcome.FinishedPending.Add($"SSL redeploy owed by a previous run ({reasonBefore ?? "an unfinished change"})");
                    Clear(journal);
                    AppSyncEngine.Save(p);
                }
            }
            catch (RunCloudApiException ex)
            {
                outcome.StillPending = $"SSL redeploy of {app}";
                outcome.Failures.Add(new AppFailure(new RunCloudSyncFailure(app, "RedeploySsl", ex.ErrorId,
                    ex.Message + " The certificate may not cover the web app's names." + FinishesIt), ex, app));
            }
        }

        /// <summary>Nothing SSL is owed any more; what a crashed run had not confirmed is settled by the live list this run read.</summary>
        internal static void Clear(AppJournal journal)
        {
            journal.SslRedeployPending = false;
            journal.SslReason = null;
            journal.SslDomains.Clear();
            journal.SslReinstall = null;
            journal.PendingAdds.Clear();
            journal.PendingRemovals.Clear();
        }

        /// <summary>
        /// The app's names after this run, from the listing and the changes (no second listing); an add whose answer carried
        /// no domain object leaves the list unknown, and the strategy lists again.
        /// </summary>
        private static List<RunCloudDomain>? After(PreparedApply p, AppOutcome outcome)
        {
            if (p.Live == null || outcome.AddedDomains.Count != outcome.Added.Count) return null;
            var removed = new HashSet<string>(outcome.Removed.Concat(outcome.AlreadyGone), StringComparer.OrdinalIgnoreCase);
            return p.Live.Where(d => d.Problem == null && !removed.Contains(SyncPlanner.Normalized(d)))
                .Concat(outcome.AddedDomains)
                .Concat(p.AlreadyThere.Where(d => !p.Live.Any(l => l.Id == d.Id)))
                .ToList();
        }

        /// <summary>A previous -Reinstall left the app without a certificate: install one with the settings it recorded.</summary>
        internal static async Task<bool> FinishReinstallAsync(PreparedApply p, AppJournal journal, AppOutcome outcome, CancellationToken ct)
        {
            AppTarget t = p.Target;
            RunCloudSsl now = await t.Service.GetSslAsync(t.ServerId, t.WebAppId, ct).ConfigureAwait(false);
            if (now.Installed) return true;
            SslInstallRequest? request = SslInstallRequest.FromSettings(journal.SslReinstall);
            if (request == null)
            {
                outcome.Failures.Add(new AppFailure(new RunCloudSyncFailure(t.Label, "InstallSsl", "RunCloudSslReinstallFailed",
                    $"{t.Label} has no SSL certificate: a previous Reset-RunCloudSsl -Reinstall uninstalled it and could not install the custom certificate, whose key the journal never keeps. "
                    + "Run Reset-RunCloudSsl -Provider custom -Certificate ... -PrivateKey ... on this app."), null, t.Label));
                return false;
            }

            await t.Service.InstallSslAsync(t.ServerId, t.WebAppId, request, ct).ConfigureAwait(false);
            return true;
        }
    }
}
