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
    /// The engine's "SSL removal" request (Remove-RunCloudSsl): certificates uninstalled on purpose, under the app's lock,
    /// each one a step to confirm. The journal then forgets them: nothing owed for a removed certificate (a redeploy, a
    /// reinstall, its domain's order) and no name waiting to be covered by it, so no later run of any path orders it again.
    /// A certificate another client removed a moment earlier (a 404 that a fresh read confirms) is "already gone".
    /// </summary>
    internal static class SslRemovalRunner
    {
        public static async Task PrepareAsync(PreparedApply p, IApplyHost host, CancellationToken ct)
        {
            AppTarget t = p.Target;
            SslRemovalRequest r = p.Request.SslRemoval!;
            string app = t.Label;

            // A piped certificate: exactly that one, as read (a domain's in advanced mode, else the app's).
            if (r.Names == null && r.Certificate != null)
            {
                RunCloudSsl c = r.Certificate;
                if (!c.Installed || !c.Id.HasValue)
                {
                    host.Verbose($"RunCloud: {c.DomainName ?? app} has no certificate; nothing to remove.");
                    return;
                }

                p.Steps.Add(c.DomainId.HasValue
                    ? DomainStep(new RunCloudDomain { Id = c.DomainId.Value, Name = c.DomainName ?? string.Empty, ServerId = t.ServerId, WebAppId = t.WebAppId }, c)
                    : AppStep(t, c));
                return;
            }

            // A piped domain: its own certificate; a domain without one is an error (it was named).
            if (r.Names == null && r.Domain != null)
            {
                await FromDomainAsync(p, host, r.Domain, explicitName: true, ct).ConfigureAwait(false);
                return;
            }

            RunCloudSsl ssl = await t.Service.GetSslAsync(t.ServerId, t.WebAppId, ct).ConfigureAwait(false);
            p.AppSsl = ssl;
            if (ssl.Installed && ssl.Id.HasValue)
            {
                if (r.Names != null)
                {
                    p.Problems.Add(new AppFailure(new RunCloudSyncFailure(string.Join(", ", r.Names), "RemoveSsl", ErrorIds.InvalidInput,
                        $"The {app} uses basic SSL: one certificate ({ssl.Id}) for all its names, none per domain, so -Name does not apply. Nothing was removed. "
                        + "Leave -Name out to remove the app's certificate."), null, r.Names));
                    return;
                }

                p.Steps.Add(AppStep(t, ssl));
                return;
            }

            p.Advanced = (await t.Service.GetSslModeAsync(t.ServerId, t.WebAppId, ct).ConfigureAwait(false)).Advanced;
            if (!p.Advanced)
            {
                // No certificate: nothing to remove, unless a previous -Reinstall left one owed, which this command forgets.
                if (p.Journal?.SslReinstall != null)
                {
                    p.Steps.Add(new ApplyStep(ApplyStepKind.SslForgetReinstall, app, "Forget the certificate reinstall a previous run left owed (the app has none)"));
                    return;
                }

                p.Problems.Add(new AppFailure(new RunCloudSyncFailure(app, "RemoveSsl", ErrorIds.SslNotInstalled, $"The {app} has no SSL certificate; nothing was removed."), null, app));
                return;
            }

            List<NamePattern>? patterns = null;
            if (r.Names != null)
            {
                patterns = DomainPatterns.ParseOrReport(p, r.Names, "-Name", "RemoveSsl");
                if (patterns == null) return;
            }

            // Advanced mode: each chosen domain's own certificate. An exact name that is no domain of the app is an error;
            // a wildcard that matches nothing is silence (as Get-ChildItem).
            bool exactOnly = r.Names != null && !r.Names.Any(DomainPatterns.IsWildcard);
            var matched = new HashSet<NamePattern>();
            p.Live = await t.Service.ListDomainsAsync(t.ServerId, t.WebAppId, ct).ConfigureAwait(false);
            foreach (RunCloudDomain domain in p.Live.Where(d => d.Problem == null))
            {
                if (patterns != null)
                {
                    List<NamePattern> hits = patterns.Where(x => DomainPatterns.Matches(x, domain)).ToList();
                    if (hits.Count == 0) continue;
                    matched.UnionWith(hits);
                }

                await FromDomainAsync(p, host, domain, explicitName: exactOnly, ct).ConfigureAwait(false);
            }

            if (r.Names == null) return;
            for (int i = 0; i < r.Names.Count; i++)
            {
                string text = r.Names[i];
                if (DomainPatterns.IsWildcard(text) || matched.Contains(patterns![i])) continue;
                p.Problems.Add(new AppFailure(new RunCloudSyncFailure(text, "RemoveSsl", ErrorIds.DomainNotFound,
                    $"{text} is not a domain of web app {t.WebAppId} (server {t.ServerId}); nothing was removed. Get-RunCloudDomain lists the app's domains."), null, text));
            }
        }

        private static async Task FromDomainAsync(PreparedApply p, IApplyHost host, RunCloudDomain domain, bool explicitName, CancellationToken ct)
        {
            RunCloudSsl current;
            try
            {
                current = await p.Target.Service.GetDomainSslAsync(domain, ct).ConfigureAwait(false);
            }
            catch (RunCloudApiException ex)
            {
                p.Problems.Add(new AppFailure(new RunCloudSyncFailure(domain.Name, "RemoveSsl", ex.ErrorId, ex.Message), ex, domain));
                return;
            }

            if (!current.Installed || !current.Id.HasValue)
            {
                if (explicitName)
                {
                    p.Problems.Add(new AppFailure(new RunCloudSyncFailure(domain.Name, "RemoveSsl", ErrorIds.SslNotInstalled,
                        $"{domain.Name} has no certificate of its own; nothing was removed."), null, domain));
                }
                else
                {
                    host.Verbose($"RunCloud: {domain.Name} has no certificate of its own; nothing to remove.");
                }

                return;
            }

            p.Steps.Add(DomainStep(domain, current));
        }

        private static ApplyStep AppStep(AppTarget t, RunCloudSsl ssl) =>
            new ApplyStep(ApplyStepKind.SslUninstall, $"SSL certificate {ssl.Id} of web app {t.WebAppId} on server {t.ServerId}",
                "Uninstall the web app's SSL certificate (its names are served without one until a new one is installed)")
            { DomainSsl = ssl };

        private static ApplyStep DomainStep(RunCloudDomain domain, RunCloudSsl ssl) =>
            new ApplyStep(ApplyStepKind.SslDomainUninstall, $"certificate {ssl.Id} of {domain.Name} (domain {domain.Id}, web app {domain.WebAppId} on server {domain.ServerId})",
                "Uninstall the domain's SSL certificate")
            { Domain = domain, DomainSsl = ssl };

        public static async Task ApplyAsync(PreparedApply p, IApplyHost host, AppOutcome outcome, CancellationToken ct)
        {
            if (p.Request.Options.WhatIf || p.Refusal != null) return;
            AppTarget t = p.Target;
            foreach (ApplyStep step in p.Steps.Where(s => s.Approved))
            {
                try
                {
                    switch (step.Kind)
                    {
                        case ApplyStepKind.SslUninstall:
                            Said(host, step, await t.Service.UninstallSslAsync(t.ServerId, t.WebAppId, step.DomainSsl!.Id!.Value, ct).ConfigureAwait(false));
                            Forget(p, null);
                            break;
                        case ApplyStepKind.SslDomainUninstall:
                            Said(host, step, await t.Service.UninstallDomainSslAsync(step.Domain!, step.DomainSsl!.Id!.Value, ct).ConfigureAwait(false));
                            Forget(p, step.Domain);
                            break;
                        case ApplyStepKind.SslForgetReinstall:
                            Forget(p, null);
                            host.Warning($"The {t.Label} has no SSL certificate; the reinstall a previous run left owed is forgotten, so no later run installs one.");
                            break;
                    }

                    AppSyncEngine.Step("ssl removed");
                }
                catch (RunCloudApiException ex)
                {
                    object target = (object?)step.Domain ?? t.Label;
                    outcome.Failures.Add(new AppFailure(new RunCloudSyncFailure(step.Domain?.Name ?? t.Label, "RemoveSsl", ex.ErrorId, ex.Message), ex, target));
                }
            }
        }

        private static void Said(IApplyHost host, ApplyStep step, bool removed)
        {
            if (removed) host.Verbose($"RunCloud: uninstalled the {step.Target}.");
            else host.Warning($"The {step.Target} was already gone.");
        }

        /// <summary>
        /// The journal learns the certificate is gone on purpose: nothing owed for it (a redeploy, a reinstall, the
        /// domain's order) and no name waiting to be covered by it, so no later run orders it again. Saved at once.
        /// </summary>
        private static void Forget(PreparedApply p, RunCloudDomain? domain)
        {
            AppTarget t = p.Target;
            AppRunOptions o = p.Request.Options;
            AppJournal journal = p.Journal ??= AppJournal.For(t.Key, t.BaseUri, o.Clock());
            if (domain == null)
            {
                journal.SslRedeployPending = false;
                journal.SslReason = null;
                journal.SslDomains.Clear();
                journal.SslReinstall = null;
                SslStrategy.ForgetCertificate(journal, null);
            }
            else
            {
                journal.SslDomains.RemoveAll(j => j.Id == domain.Id);
                if (journal.SslDomains.Count == 0 && journal.SslRedeployPending && journal.SslReason != null && journal.SslReason.IndexOf(domain.Name, StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    // An advanced-mode redeploy owed only for this domain is owed no more.
                    journal.SslRedeployPending = false;
                    journal.SslReason = null;
                }

                SslStrategy.ForgetCertificate(journal, SslNames.HostNames(domain).ToList());
            }

            journal.WrittenBy = o.Command;
            AppSyncEngine.Save(p);
        }
    }
}
