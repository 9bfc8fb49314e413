using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Ssl;
using RunCloud.PowerShell.State;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// The engine's "SSL only" request (Reset-RunCloudSsl): make the certificate cover the app without a domain change.
    /// The form is decided from the app's SSL state while preparing (<see cref="SslResetMode"/>); the journal owes the
    /// work before the first call that could leave the app without a certificate, and is cleared only when it is done.
    /// </summary>
    internal static class SslResetRunner
    {
        public static async Task PrepareAsync(PreparedApply p, IApplyHost host, CancellationToken ct)
        {
            AppTarget t = p.Target;
            SslResetRequest r = p.Request.SslReset!;
            RunCloudSsl ssl = await t.Service.GetSslAsync(t.ServerId, t.WebAppId, ct).ConfigureAwait(false);
            p.AppSsl = ssl;
            p.Ssl.KnownAppSsl = ssl;
            p.Ssl.Install = r.Install; // the plan judges an install by how it would validate (HTTP-01 or DNS-01, through which integration)
            p.SslDue = true;
            if (!ssl.Installed && (r.Reinstall || r.Custom))
            {
                p.Advanced = (await t.Service.GetSslModeAsync(t.ServerId, t.WebAppId, ct).ConfigureAwait(false)).Advanced;
                p.Ssl.KnownAdvanced = p.Advanced;
            }

            string app = t.Label;
            if (ssl.Installed && ssl.Id.HasValue && r.Reinstall)
            {
                p.ResetMode = OnlySettingsDiffer(ssl, r.Install) ? SslResetMode.SettingsInPlace : SslResetMode.Reinstall;
                if (p.ResetMode == SslResetMode.Reinstall && await RefusedInstallAsync(p, null, ct).ConfigureAwait(false)) return;
                p.Steps.Add(p.ResetMode == SslResetMode.SettingsInPlace
                    ? new ApplyStep(ApplyStepKind.SslSettingsInPlace, app, $"Change the settings of SSL certificate {ssl.Id} in place (PATCH) and redeploy it")
                    : new ApplyStep(ApplyStepKind.SslReinstall, app, $"Uninstall SSL certificate {ssl.Id} and install a new {r.Install.Provider} certificate"));
                return;
            }

            if (!ssl.Installed && (r.Reinstall || r.Custom) && !p.Advanced)
            {
                p.ResetMode = SslResetMode.Install;
                if (await RefusedInstallAsync(p, null, ct).ConfigureAwait(false)) return;
                p.Steps.Add(new ApplyStep(ApplyStepKind.SslInstall, app, $"Install a {r.Install.Provider} SSL certificate ({r.Install.Environment})"));
                return;
            }

            if (p.Advanced && r.Reinstall)
            {
                p.ResetMode = SslResetMode.ReinstallPerDomain;
                p.Live = await t.Service.ListDomainsAsync(t.ServerId, t.WebAppId, ct).ConfigureAwait(false);
                List<RunCloudDomain>? chosen = Choose(p, p.Live);
                if (chosen == null) return;
                foreach (RunCloudDomain domain in chosen)
                {
                    RunCloudSsl current = await t.Service.GetDomainSslAsync(domain, ct).ConfigureAwait(false);
                    DomainSslAction action = SslRedeployer.DecideForDomain(current, reinstall: true);
                    if (action == DomainSslAction.Install && await RefusedInstallAsync(p, domain, ct).ConfigureAwait(false)) continue;
                    string what = action == DomainSslAction.Redeploy
                        ? $"Redeploy the domain's SSL certificate {current.Id}"
                        : $"Install a {r.Install.Provider} SSL certificate for the domain";
                    p.Steps.Add(new ApplyStep(ApplyStepKind.SslDomainReinstall, domain.Name, what) { Domain = domain, DomainSsl = current });
                }

                return;
            }

            // The SSL strategy: name count, DNS readiness, Let's Encrypt's budget; per domain in advanced mode.
            p.ResetMode = SslResetMode.Strategy;
            List<RunCloudDomain> changed = new List<RunCloudDomain>();
            if (r.Names != null)
            {
                p.Live = await t.Service.ListDomainsAsync(t.ServerId, t.WebAppId, ct).ConfigureAwait(false);
                List<RunCloudDomain>? chosen = Choose(p, p.Live);
                if (chosen == null) return;
                changed = chosen;
            }

            // Names a crashed run added, or an advanced-mode order a previous run owes, are part of what this run covers.
            if (p.Live != null) changed.AddRange(AppSyncEngine.Changed(p, Array.Empty<RunCloudDomain>()).Where(d => !changed.Any(c => c.Id == d.Id)));
            if (!p.Request.Options.ReadOnly) p.Ssl.Journal = p.Journal ??= AppJournal.For(t.Key, t.BaseUri, p.Request.Options.Clock());
            else p.Ssl.Journal = new AppJournal { Extensions = p.Journal == null ? new Newtonsoft.Json.Linq.JObject() : (Newtonsoft.Json.Linq.JObject)p.Journal.Extensions.DeepClone() };
            p.Ssl.Store = p.Store;
            p.Ssl.Clock = p.Request.Options.Clock;
            var strategy = new SslStrategy(t.Service, t.Key, t.BaseUri, t.ServerId, t.WebAppId, p.Ssl);
            SslPlan plan = await strategy.PlanAsync(changed, p.Live, installIfMissing: true, everyUncovered: r.Names == null, ct).ConfigureAwait(false);
            p.Preflight = plan;
            p.Advanced = plan.Advanced;
            p.ResetStrategy = strategy;
            if (r.Names != null && !plan.Advanced)
            {
                host.Verbose("RunCloud: -Domain applies to advanced SSL mode only; the web app has one certificate for all its names.");
            }

            if (plan.Refused)
            {
                p.Refusal = new AppRefusal(AppRefusal.SslKind, "Ssl", plan.RefusalErrorId!, plan.Message!, plan.Hint);
                p.RefusalException = SslStrategy.Refusal(plan);
                if (!p.Request.Options.ReadOnly)
                {
                    // What the refusal learned (names not DNS-ready) is remembered, so every later run checks them again.
                    strategy.SaveJournal();
                    AppSyncEngine.Save(p);
                }

                return;
            }

            foreach (RunCloudDnsCheck check in plan.NotReady)
            {
                host.Warning($"No certificate requested for {check.Name} yet ({check.Status}): {check.Message} It is remembered and retried by the next run.");
            }

            foreach (string deferred in plan.Deferred) host.Warning("Certificate deferred by Let's Encrypt's limits: " + deferred);
            foreach (SslAction action in plan.Actions) p.Steps.Add(new ApplyStep(ApplyStepKind.SslOrder, action.Domain?.Name ?? app, action.ToString()) { Order = action });
        }

        /// <summary>
        /// Before a Let's Encrypt install outside the strategy's plan (a -Reinstall uninstalls first): an order that cannot
        /// succeed (a wildcard over HTTP-01, a DNS-01 order whose integration is gone) is refused before anything is
        /// uninstalled: the app's refusal, or (<paramref name="domain"/>, advanced mode) that domain's problem, its step
        /// left out. GETs only. True when refused.
        /// </summary>
        private static async Task<bool> RefusedInstallAsync(PreparedApply p, RunCloudDomain? domain, CancellationToken ct)
        {
            AppTarget t = p.Target;
            SslResetRequest r = p.Request.SslReset!;
            if (r.Custom) return false;
            SslRefusedException? refused = await SslStrategy.PreflightInstallAsync(t.Service, t.ServerId, t.WebAppId, r.Install, domain, ct).ConfigureAwait(false);
            if (refused == null) return false;
            if (domain != null)
            {
                p.Problems.Add(new AppFailure(new RunCloudSyncFailure(domain.Name, "ResetSsl", refused.ErrorId, refused.Message), refused, domain, refused.Hint));
                return true;
            }

            p.Refusal = new AppRefusal(AppRefusal.SslKind, "Ssl", refused.ErrorId, refused.Message, refused.Hint);
            p.RefusalException = refused;
            return true;
        }

        /// <summary>The domains -Domain chooses (every domain without it); none matching an explicit name is an error.</summary>
        private static List<RunCloudDomain>? Choose(PreparedApply p, List<RunCloudDomain> all)
        {
            IReadOnlyList<string>? names = p.Request.SslReset!.Names;
            if (names == null) return all.Where(d => d.Problem == null).ToList();
            List<NamePattern>? patterns = DomainPatterns.ParseOrReport(p, names, "-Domain", "ResetSsl");
            if (patterns == null) return null;
            List<RunCloudDomain> chosen = all.Where(d => d.Problem == null && patterns.Any(x => DomainPatterns.Matches(x, d))).ToList();
            if (chosen.Count == 0)
            {
                p.Problems.Add(new AppFailure(new RunCloudSyncFailure(string.Join(", ", names), "ResetSsl", ErrorIds.DomainNotFound,
                    $"No domain of web app {p.Target.WebAppId} matches {string.Join(", ", names)}."), null, names));
                return null;
            }

            return chosen;
        }

        /// <summary>A reinstall with the same provider and validation only changes settings: PATCH them in place instead.</summary>
        private static bool OnlySettingsDiffer(RunCloudSsl current, SslInstallRequest wanted) =>
            wanted.Provider != "custom"
            && string.Equals(current.Method, wanted.Provider, StringComparison.OrdinalIgnoreCase)
            && string.Equals(current.AuthorizationMethod ?? "http-01", wanted.AuthorizationMethod, StringComparison.OrdinalIgnoreCase)
            && current.Staging == string.Equals(wanted.Environment, "staging", StringComparison.OrdinalIgnoreCase)
            && wanted.ExternalApi == null;

        public static async Task ApplyAsync(PreparedApply p, IApplyHost host, AppOutcome outcome, CancellationToken ct)
        {
            if (p.Request.Options.WhatIf || p.Refusal != null) return;
            AppTarget t = p.Target;
            AppRunOptions o = p.Request.Options;
            SslResetRequest r = p.Request.SslReset!;
            string app = t.Label;
            bool done;
            try
            {
                switch (p.ResetMode)
                {
                    case SslResetMode.SettingsInPlace:
                        if (!p.Steps[0].Approved) return;
                        Owe(p, $"{o.Command} -Reinstall (settings changed in place)");
                        await t.Service.UpdateSslSettingsAsync(t.ServerId, t.WebAppId, p.AppSsl!.Id!.Value, r.Install.EnableHttp, r.Install.EnableHsts, ct).ConfigureAwait(false);
                        await t.Service.RedeploySslAsync(t.ServerId, t.WebAppId, p.AppSsl.Id.Value, ct).ConfigureAwait(false);
                        AppSyncEngine.Step("ssl redeployed");
                        outcome.SslRedeployed = true;
                        done = true;
                        break;
                    case SslResetMode.Reinstall:
                        if (!p.Steps[0].Approved) return;
                        // Before the uninstall: a crash cannot leave the app silently without a certificate.
                        AppJournal journal = p.Journal ??= AppJournal.For(t.Key, t.BaseUri, o.Clock());
                        journal.WrittenBy = o.Command;
                        journal.SslReinstall = r.Install.ToSettings();
                        AppSyncEngine.Save(p);
                        AppSyncEngine.Step("journal written");
                        await t.Service.UninstallSslAsync(t.ServerId, t.WebAppId, p.AppSsl!.Id!.Value, ct).ConfigureAwait(false);
                        AppSyncEngine.Step("uninstalled");
                        done = await InstallAsync(p, host, outcome, uninstalled: true, ct).ConfigureAwait(false);
                        break;
                    case SslResetMode.Install:
                        if (!p.Steps[0].Approved) return;
                        done = await InstallAsync(p, host, outcome, uninstalled: false, ct).ConfigureAwait(false);
                        break;
                    case SslResetMode.ReinstallPerDomain:
                        done = await ReinstallPerDomainAsync(p, outcome, ct).ConfigureAwait(false);
                        break;
                    default:
                        done = await RunStrategyAsync(p, host, outcome, ct).ConfigureAwait(false);
                        break;
                }
            }
            catch (RunCloudApiException ex)
            {
                bool owed = p.Journal != null && p.Journal.HasOwedWork;
                outcome.Failures.Add(new AppFailure(new RunCloudSyncFailure(app, "ResetSsl", ex.ErrorId,
                    ex.Message + (owed ? " The certificate may not cover the app's names; the journal keeps this owed, and the next Reset-RunCloudSsl, Sync-RunCloudDomain or Add-/Remove-RunCloudDomain -ResetSsl on this app finishes it." : string.Empty)),
                    ex, app, ex.Hint));
                if (owed) outcome.StillPending = $"SSL of {app}";
                return;
            }

            if (!done) return;
            if (p.Journal != null)
            {
                if (p.Owed != null) outcome.FinishedPending.Add($"what a previous run left owed ({p.Owed})");
                SslStep.Clear(p.Journal);
                AppSyncEngine.Save(p);
            }
        }

        private static void Owe(PreparedApply p, string reason)
        {
            AppTarget t = p.Target;
            AppJournal journal = p.Journal ??= AppJournal.For(t.Key, t.BaseUri, p.Request.Options.Clock());
            journal.WrittenBy = p.Request.Options.Command;
            journal.OweSslRedeploy(reason);
            AppSyncEngine.Save(p);
            AppSyncEngine.Step("journal written");
        }

        /// <summary>
        /// The strategy's approved orders. Basic mode owes the redeploy in the journal before the order (a crash cannot
        /// lose it); each failed order stays owed.
        /// </summary>
        private static async Task<bool> RunStrategyAsync(PreparedApply p, IApplyHost host, AppOutcome outcome, CancellationToken ct)
        {
            AppTarget t = p.Target;
            SslPlan plan = p.Preflight!;
            int declined = plan.Actions.RemoveAll(a => !p.Steps.Any(s => s.Order == a && s.Approved));
            if (!plan.Advanced && plan.Actions.Count > 0) Owe(p, $"{p.Request.Options.Command} redeploys");
            SslInstallRequest? install = p.Request.SslReset!.Install;
            if (p.Journal?.SslReinstall != null && !p.Request.SslReset.Reinstall && !p.Request.SslReset.Custom)
            {
                install = SslInstallRequest.FromSettings(p.Journal.SslReinstall) ?? install; // the settings a previous -Reinstall recorded
            }

            List<(SslAction Action, RunCloudApiException Error)> failures = await p.ResetStrategy!.ExecuteAsync(plan, install, ct).ConfigureAwait(false);
            AppSyncEngine.Step("ssl redeployed");
            var failed = new HashSet<SslAction>(failures.Select(f => f.Action));
            foreach (SslAction ok in plan.Actions.Where(a => !failed.Contains(a)))
            {
                outcome.SslOrders.Add(ok);
                host.Verbose($"RunCloud: {ok} on {t.Label}: done.");
            }

            outcome.SslRedeployed = outcome.SslOrders.Count > 0;
            foreach (var (action, error) in failures)
            {
                outcome.Failures.Add(new AppFailure(new RunCloudSyncFailure(action.Domain?.Name ?? t.Label, "ResetSsl", error.ErrorId,
                    error.Message + (plan.Advanced ? string.Empty : " The certificate may not cover the app's names; the order stays owed in the journal, and the next Sync-RunCloudDomain, Add-/Remove-RunCloudDomain -ResetSsl or Reset-RunCloudSsl on this app finishes it.")),
                    error, (object?)action.Domain ?? t.Label, error.Hint));
            }

            if (failures.Count > 0 && !plan.Advanced) outcome.StillPending = $"SSL redeploy of {t.Label}";
            AppSyncEngine.Save(p);
            return failures.Count == 0 && declined == 0;
        }

        /// <summary>Advanced mode -Reinstall: each chosen domain's certificate deleted (installing over it is refused), then installed.</summary>
        private static async Task<bool> ReinstallPerDomainAsync(PreparedApply p, AppOutcome outcome, CancellationToken ct)
        {
            AppTarget t = p.Target;
            SslResetRequest r = p.Request.SslReset!;
            bool allDone = p.Problems.Count == 0;
            foreach (ApplyStep step in p.Steps.Where(s => s.Kind == ApplyStepKind.SslDomainReinstall))
            {
                if (!step.Approved)
                {
                    allDone = false;
                    continue;
                }

                RunCloudDomain domain = step.Domain!;
                RunCloudSsl current = step.DomainSsl!;
                try
                {
                    if (current.Installed && current.Id.HasValue) await t.Service.UninstallDomainSslAsync(domain, current.Id.Value, ct).ConfigureAwait(false);
                    await SslRedeployer.ApplyToDomainAsync(t.Service, domain, current, SslRedeployer.DecideForDomain(current, reinstall: true), r.Install, ct).ConfigureAwait(false);
                    outcome.SslOrders.Add(new SslAction(SslActionKind.InstallDomain, domain, null, SslNames.HostNames(domain).ToList()));
                }
                catch (RunCloudApiException ex)
                {
                    allDone = false;
                    outcome.Failures.Add(new AppFailure(new RunCloudSyncFailure(domain.Name, "ResetSsl", ex.ErrorId, ex.Message), ex, domain, ex.Hint));
                }
            }

            outcome.SslRedeployed = outcome.SslOrders.Count > 0;
            return allDone;
        }

        /// <summary>
        /// POST .../ssl, retried per the connection's policy when RunCloud fails (never blindly after an ambiguous
        /// failure: it looks first). When it cannot install after an uninstall, the journal keeps the reinstall owed and
        /// the failure says plainly that the app has no certificate now.
        /// </summary>
        private static async Task<bool> InstallAsync(PreparedApply p, IApplyHost host, AppOutcome outcome, bool uninstalled, CancellationToken ct)
        {
            AppTarget t = p.Target;
            SslResetRequest r = p.Request.SslReset!;
            RetryPolicy policy = r.RetryPolicy ?? new RetryPolicy();
            int attempts = Math.Max(1, Math.Min(policy.MaxAttempts, 5));
            RunCloudApiException? last = null;
            for (int attempt = 1; attempt <= attempts; attempt++)
            {
                try
                {
                    await t.Service.InstallSslAsync(t.ServerId, t.WebAppId, r.Install, ct).ConfigureAwait(false);
                    host.Verbose($"RunCloud: {r.Install.Provider} certificate installed on web app {t.WebAppId}.");
                    outcome.SslRedeployed = true;
                    return true;
                }
                catch (RunCloudApiException ex)
                {
                    last = ex;
                    if (ex.MayHaveBeenApplied)
                    {
                        RunCloudSsl now = await t.Service.GetSslAsync(t.ServerId, t.WebAppId, ct).ConfigureAwait(false);
                        if (now.Installed)
                        {
                            outcome.SslRedeployed = true;
                            return true;
                        }
                    }

                    bool retriable = ex.MayHaveBeenApplied || ex.StatusCode == 0 || ex.StatusCode == 429 || ex.StatusCode >= 500;
                    if (!retriable || attempt == attempts) break;
                    TimeSpan wait = policy.BackOff(attempt);
                    host.Verbose($"RunCloud: installing the certificate on {t.Label} failed ({ex.Message}); trying again in {wait.TotalSeconds:0.#} s (attempt {attempt + 1} of {attempts}).");
                    await Task.Delay(wait, ct).ConfigureAwait(false);
                }
            }

            if (!uninstalled) throw last!;
            outcome.StillPending = $"certificate reinstall of {t.Label}";
            outcome.Failures.Add(new AppFailure(new RunCloudSyncFailure(t.Label, "InstallSsl", ReinstallFailedErrorId,
                $"The {t.Label} has NO SSL certificate now: the old one was uninstalled, and installing the new {r.Install.Provider} certificate failed ({last!.Message}). "
                + "The journal keeps the reinstall owed: the next Reset-RunCloudSsl (or Sync-RunCloudDomain) on this app installs one. Fix the cause first if RunCloud refused the settings."),
                last, t.Label, $"Reset-RunCloudSsl -ServerId {t.ServerId} -WebAppId {t.WebAppId}"));
            return false;
        }

        /// <summary>Error id: a reinstall uninstalled the certificate and could not install a new one; the app has none now.</summary>
        public const string ReinstallFailedErrorId = "RunCloudSslReinstallFailed";
    }
}
