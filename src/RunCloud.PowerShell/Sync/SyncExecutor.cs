using System;
using System.Collections.Generic;
using System.Linq;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Ssl;
using RunCloud.PowerShell.State;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// Applies a <see cref="SyncPlan"/> through the Api layer, journalling first:
    /// 1. the journal records the planned adds and removals and that an SSL redeploy is owed, BEFORE the first change;
    /// 2. adds, then removals, each step recorded as done;
    /// 3. the SSL redeploy when this run changed something, a previous run left one owed, or -ResetSsl;
    /// 4. the journal is cleared only when the SSL step succeeded (or the app has no certificate).
    /// A crash anywhere leaves a journal that makes the next run (Sync, Add-/Remove-RunCloudDomain -ResetSsl,
    /// Reset-RunCloudSsl) finish the redeploy. The caller holds the app's lock.
    /// </summary>
    internal sealed class SyncExecutor
    {
        private readonly RunCloudService _service;
        private readonly long _serverId;
        private readonly long _webAppId;
        private readonly JournalStore _store;
        private readonly AppStateKey _key;
        private readonly string? _baseUri;
        private readonly ISyncHost _host;
        private readonly Func<DateTime> _utcNow;

        public SyncExecutor(RunCloudService service, long serverId, long webAppId, JournalStore store, AppStateKey key, string? baseUri,
            ISyncHost host, Func<DateTime>? utcNow = null)
        {
            _service = service;
            _serverId = serverId;
            _webAppId = webAppId;
            _store = store;
            _key = key;
            _baseUri = baseUri;
            _host = host;
            _utcNow = utcNow ?? (() => DateTime.UtcNow);
        }

        private string App => $"web app {_webAppId} (server {_serverId})";

        public SyncOutcome Execute(SyncPlan plan, SyncRunOptions options)
        {
            var outcome = new SyncOutcome();
            AppJournal? journal = _store.Load(_key);
            bool owedBefore = journal != null && (journal.SslRedeployPending || journal.SslDomains.Count > 0);
            if (journal != null && journal.HasOwedWork)
            {
                _host.Warning($"A previous run ({journal.WrittenBy ?? "unknown command"}, {journal.UpdatedAt:u}) left work unfinished on {App}: "
                    + Describe(journal) + ". This run finishes it.");
            }

            int total = plan.ToAdd.Count + plan.ToRemove.Count;
            bool changes = total > 0;
            if (changes && !options.WhatIf)
            {
                // 1. Before the first change.
                journal ??= AppJournal.For(_key, _baseUri, _utcNow());
                journal.WrittenBy = options.Command;
                journal.PendingAdds = plan.ToAdd.ToList();
                journal.PendingRemovals = plan.ToRemove.Select(d => new JournalDomain { Id = d.Id, Name = SyncPlanner.Normalized(d) }).ToList();
                journal.OweSslRedeploy($"{options.Command} changes domains ({plan.ToAdd.Count} to add, {plan.ToRemove.Count} to remove)");
                Save(journal);
                CrashPoint.Reached("journal written");
            }

            // 2. Adds, then removals.
            int done = 0;
            bool changed = false;
            var addedDomains = new List<RunCloudDomain>();
            foreach (string name in plan.ToAdd)
            {
                _host.Progress($"Adding {name}", ++done, total);
                if (!_host.Confirm($"{name} on {App}", "Add domain")) { Forget(journal, name, options); continue; }
                if (options.WhatIf) { outcome.Added.Add(name); continue; }
                var body = new DomainRequest { Name = name, Www = options.Www && !name.StartsWith("www.", StringComparison.Ordinal), Redirection = options.Redirection };
                try
                {
                    AddResult result = _host.Run(ct => _service.AddDomainAsync(_serverId, _webAppId, body, ct, lookUpExisting: true));
                    if (result.Outcome == AddOutcome.AlreadyExists && result.Domain == null)
                    {
                        outcome.Failed.Add(new RunCloudSyncFailure(name, "Add", ErrorIds.DomainAlreadyExists,
                            $"RunCloud says {name} is already taken, but it is not on {App}: another web app on the server probably serves it. Remove it there first."));
                    }
                    else if (result.Outcome == AddOutcome.AlreadyExists)
                    {
                        outcome.AlsoUnchanged.Add(name);
                    }
                    else
                    {
                        outcome.Added.Add(name);
                        changed = true;
                        if (result.Domain != null)
                        {
                            addedDomains.Add(result.Domain);
                            journal!.SslDomains.Add(new JournalDomain { Id = result.Domain.Id, Name = name });
                        }

                        _host.Verbose($"RunCloud: added {name} to {App}.");
                    }
                }
                catch (RunCloudApiException ex)
                {
                    outcome.Failed.Add(new RunCloudSyncFailure(name, "Add", ex.ErrorId, ex.Message));
                    _host.Verbose($"RunCloud: adding {name} failed: {ex.Message}");
                }

                journal!.PendingAdds.Remove(name);
                Save(journal);
                CrashPoint.Reached("added " + name);
            }

            var sslModes = new Dictionary<(long, long), bool>();
            var appSsls = new Dictionary<(long, long), RunCloudSsl>(); // read once before the removals, reused by the SSL step
            foreach (RunCloudDomain d in plan.ToRemove)
            {
                string name = SyncPlanner.Normalized(d);
                _host.Progress($"Removing {name}", ++done, total);
                if (!_host.Confirm($"{name} (id {d.Id}) on {App}", "Remove domain")) { ForgetRemoval(journal, d, options); continue; }
                if (options.WhatIf) { outcome.Removed.Add(name); continue; }
                try
                {
                    // Advanced SSL: the domain's own certificate goes first, so no orphan certificate is left (issue 14).
                    _host.Run(ct => SslStrategy.ReleaseDomainCertificateAsync(_service, d, sslModes, ct, appSsls));
                    bool gone = _host.Run(ct => _service.RemoveDomainAsync(_serverId, _webAppId, d.Id, ct));
                    if (gone)
                    {
                        outcome.Removed.Add(name); // only what this run removed: a domain already gone is not reported as removed by us
                        changed = true;
                    }

                    _host.Verbose(gone ? $"RunCloud: removed {name} from {App}." : $"RunCloud: {name} was already gone from {App} (removed by someone else).");
                }
                catch (RunCloudApiException ex)
                {
                    outcome.Failed.Add(new RunCloudSyncFailure(name, "Remove", ex.ErrorId, ex.Message));
                    _host.Verbose($"RunCloud: removing {name} failed: {ex.Message}");
                }

                journal!.PendingRemovals.RemoveAll(p => p.Id == d.Id);
                Save(journal);
                CrashPoint.Reached("removed " + name);
            }

            // 3. The SSL step.
            bool wouldChange = options.WhatIf && (outcome.Added.Count > 0 || outcome.Removed.Count > 0);
            if (!options.WhatIf && journal != null && !changed && !owedBefore)
            {
                // This run owed a redeploy for changes it ended up not making: nothing is owed.
                journal.SslRedeployPending = false;
                journal.SslReason = null;
                Save(journal);
            }

            bool owed = journal != null && (journal.SslRedeployPending || journal.SslDomains.Count > 0 || journal.SslReinstall != null);
            if (options.NoSslReset)
            {
                if (owed && !options.WhatIf)
                {
                    outcome.StillPending = $"SSL redeploy of {App} ({journal!.SslReason})";
                    _host.Warning($"-NoSslReset: the certificate of {App} may not cover its names ({journal.SslReason}). The redeploy stays owed in the journal; "
                        + "the next run without -NoSslReset (or Reset-RunCloudSsl) does it.");
                }

                return outcome;
            }

            // Names an earlier run left without a certificate (DNS not ready yet) are retried even when nothing else is to do.
            bool waiting = !options.WhatIf && SslStrategy.HasWaitingNames(_key, _store);
            if (waiting) _host.Verbose($"RunCloud: {App} has names an earlier run could not cover yet (see its journal); checking them again.");
            if (!(owed || wouldChange || options.ResetSsl || waiting)) return outcome;
            _host.Progress("Redeploying the SSL certificate", total, total);
            if (options.WhatIf)
            {
                _host.Confirm(App, "Redeploy the SSL certificate once (if the web app has one)");
                return outcome;
            }

            if (!_host.Confirm(App, "Redeploy the SSL certificate"))
            {
                if (owed) outcome.StillPending = $"SSL redeploy of {App} (declined; still owed in the journal)";
                return outcome;
            }

            // Advanced mode: per-domain certificates for the domains added by this run and by earlier unfinished runs.
            var perDomain = new List<RunCloudDomain>(addedDomains);
            if (journal != null)
            {
                foreach (JournalDomain j in journal.SslDomains)
                {
                    if (perDomain.Any(d => d.Id == j.Id)) continue;
                    perDomain.Add(plan.Current.TryGetValue(j.Name, out RunCloudDomain? known) ? known
                        : new RunCloudDomain { Id = j.Id, Name = j.Name, ServerId = _serverId, WebAppId = _webAppId });
                }
            }

            bool previous = owedBefore;
            string? reason = journal?.SslReason;
            try
            {
                if (journal?.SslReinstall != null && !FinishReinstall(journal, outcome))
                {
                    outcome.StillPending = $"certificate reinstall of {App}";
                    return outcome;
                }

                if (journal?.SslReinstall != null)
                {
                    // A fresh certificate covers every current name: no redeploy on top of it.
                    outcome.SslRedeployed = true;
                    outcome.FinishedPending.Add("certificate reinstall owed by a previous Reset-RunCloudSsl -Reinstall (the app had none)");
                    journal.SslRedeployPending = false;
                    journal.SslReason = null;
                    journal.SslDomains.Clear();
                    journal.SslReinstall = null;
                    Save(journal);
                    return outcome;
                }

                // The SSL strategy (issue 14): DNS readiness, Let's Encrypt budget, names per certificate. It records into
                // this run's journal (its "ssl" extension), which the executor saves.
                journal ??= AppJournal.For(_key, _baseUri, _utcNow());
                SslOptions sslOptions = options.Ssl ?? new SslOptions();
                sslOptions.Journal = journal;
                sslOptions.Store = _store;
                sslOptions.Clock = _utcNow;
                if (appSsls.TryGetValue((_serverId, _webAppId), out RunCloudSsl? knownSsl)) sslOptions.KnownAppSsl = knownSsl;
                // The app's names after this run, from the listing and the changes (no second listing); an add whose answer
                // carried no domain object leaves the list unknown, and the strategy lists again.
                IEnumerable<RunCloudDomain> before = options.Existing ?? (IEnumerable<RunCloudDomain>)plan.Current.Values;
                List<RunCloudDomain>? after = addedDomains.Count == outcome.Added.Count
                    ? before.Where(d => !outcome.Removed.Contains(SyncPlanner.Normalized(d), StringComparer.OrdinalIgnoreCase)).Concat(addedDomains).ToList()
                    : null;
                SslRunResult ssl;
                try
                {
                    ssl = _host.Run(ct => SslStrategy.RunAsync(_service, _key, _baseUri, _serverId, _webAppId, perDomain, sslOptions, ct, after));
                }
                catch (SslRefusedException ex)
                {
                    Save(journal);
                    outcome.StillPending = $"SSL redeploy of {App} (refused: {ex.ErrorId})";
                    outcome.Failed.Add(new RunCloudSyncFailure(App, "RedeploySsl", ex.ErrorId, ex.Message + (ex.Hint == null ? string.Empty : " " + ex.Hint)));
                    return outcome;
                }

                RedeployOutcome result = ssl.Outcome;
                outcome.SslRedeployed = result == RedeployOutcome.Redeployed || (result == RedeployOutcome.PerDomain && ssl.Plan.Actions.Count > ssl.Failures.Count);
                outcome.SslNotReady.AddRange(ssl.Plan.NotReady);
                outcome.SslDeferred.AddRange(ssl.Plan.Deferred);
                foreach (var (action, error) in ssl.Failures)
                {
                    outcome.Failed.Add(new RunCloudSyncFailure(action.Domain?.Name ?? App, "RedeploySsl", error.ErrorId,
                        error.Message + " The certificate may not cover the web app's names; the journal keeps the order owed, and the next Sync-RunCloudDomain, "
                        + "Add-/Remove-RunCloudDomain -ResetSsl or Reset-RunCloudSsl on this app finishes it."));
                }

                foreach (RunCloudDnsCheck check in ssl.Plan.NotReady)
                {
                    _host.Warning($"No certificate requested for {check.Name} yet ({check.Status}): {check.Message} It stays on the app and is retried by the next run.");
                }

                _host.Verbose(result == RedeployOutcome.NoSsl
                    ? $"RunCloud: {App} has no SSL certificate; none was redeployed."
                    : $"RunCloud: SSL of {App} redeployed ({result}).");
                CrashPoint.Reached("ssl redeployed");
                if (ssl.Failures.Count > 0)
                {
                    // What failed stays owed: the failed domains' orders (advanced) or the app's redeploy (basic).
                    var failedIds = new HashSet<long>(ssl.Failures.Where(f => f.Action.Domain != null).Select(f => f.Action.Domain!.Id));
                    bool appLevel = ssl.Failures.Any(f => f.Action.Domain == null);
                    if (!appLevel) journal.SslDomains.RemoveAll(j => !failedIds.Contains(j.Id));
                    foreach (RunCloudDomain d in ssl.Failures.Select(f => f.Action.Domain).Where(d => d != null)!)
                    {
                        if (!journal.SslDomains.Any(j => j.Id == d!.Id)) journal.SslDomains.Add(new JournalDomain { Id = d!.Id, Name = d.Name });
                    }

                    if (appLevel) journal.OweSslRedeploy(journal.SslReason ?? $"{options.Command}: the SSL redeploy failed");
                    Save(journal);
                    outcome.StillPending = $"SSL redeploy of {App}";
                }
                else
                {
                    if (previous) outcome.FinishedPending.Add($"SSL redeploy owed by a previous run ({reason})");
                    journal.SslRedeployPending = false;
                    journal.SslReason = null;
                    journal.SslDomains.Clear();
                    Save(journal);
                }
            }
            catch (RunCloudApiException ex)
            {
                outcome.StillPending = $"SSL redeploy of {App}";
                outcome.Failed.Add(new RunCloudSyncFailure(App, "RedeploySsl", ex.ErrorId,
                    ex.Message + " The certificate may not cover the web app's names; the journal keeps the redeploy owed, and the next Sync-RunCloudDomain, "
                    + "Add-/Remove-RunCloudDomain -ResetSsl or Reset-RunCloudSsl on this app finishes it."));
            }

            return outcome;
        }

        /// <summary>A previous -Reinstall left the app without a certificate: install one with the settings it recorded.</summary>
        private bool FinishReinstall(AppJournal journal, SyncOutcome outcome)
        {
            RunCloudSsl now = _host.Run(ct => _service.GetSslAsync(_serverId, _webAppId, ct));
            if (now.Installed) return true;
            SslInstallRequest? request = SslInstallRequest.FromSettings(journal.SslReinstall);
            if (request == null)
            {
                outcome.Failed.Add(new RunCloudSyncFailure(App, "InstallSsl", "RunCloudSslReinstallFailed",
                    $"{App} has no SSL certificate: a previous Reset-RunCloudSsl -Reinstall uninstalled it and could not install the custom certificate, whose key the journal never keeps. "
                    + "Run Reset-RunCloudSsl -Provider custom -Certificate ... -PrivateKey ... on this app."));
                return false;
            }

            _host.Run(ct => _service.InstallSslAsync(_serverId, _webAppId, request, ct));
            return true;
        }

        private void Forget(AppJournal? journal, string name, SyncRunOptions options)
        {
            if (journal == null || options.WhatIf) return;
            journal.PendingAdds.Remove(name);
            Save(journal);
        }

        private void ForgetRemoval(AppJournal? journal, RunCloudDomain d, SyncRunOptions options)
        {
            if (journal == null || options.WhatIf) return;
            journal.PendingRemovals.RemoveAll(p => p.Id == d.Id);
            Save(journal);
        }

        private void Save(AppJournal journal) => _store.Save(_key, journal, _utcNow());

        /// <summary>The journal's owed work in words, for the operator.</summary>
        internal static string Describe(AppJournal journal)
        {
            var parts = new List<string>();
            if (journal.PendingAdds.Count > 0) parts.Add("adds not confirmed: " + string.Join(", ", journal.PendingAdds));
            if (journal.PendingRemovals.Count > 0) parts.Add("removals not confirmed: " + string.Join(", ", journal.PendingRemovals.Select(r => r.Name)));
            if (journal.SslRedeployPending) parts.Add("SSL redeploy owed (" + journal.SslReason + ")");
            if (journal.SslDomains.Count > 0) parts.Add("added names the certificate must cover: " + string.Join(", ", journal.SslDomains.Select(r => r.Name)));
            if (journal.SslReinstall != null) parts.Add("a certificate reinstall owed (the app was left without one)");
            return parts.Count == 0 ? "nothing" : string.Join("; ", parts);
        }
    }
}
