using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Dns;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.State;

namespace RunCloud.PowerShell.Ssl
{
    /// <summary>
    /// Decides how a web app's certificates follow its domains, within Let's Encrypt's limits:
    /// <list type="bullet">
    /// <item>basic mode (one certificate for the app): counts the names (www. variants included) and refuses past 100,
    /// offering advanced mode; refuses a redeploy while a name is not DNS-ready, because HTTP-01 fails the whole order;
    /// otherwise one PUT .../ssl/{id};</item>
    /// <item>advanced mode (one per domain): each changed name gets its own order (POST .../domains/{d}/ssl, or a PUT
    /// redeploy of its certificate), never the whole app; a name not DNS-ready is skipped for now;</item>
    /// <item>names not ready are remembered in the app's journal and retried by every later run; every order is counted
    /// there for the duplicate, per-registered-domain and orders-per-3-hours limits.</item>
    /// </list>
    /// Plan first (<see cref="PlanAsync"/>, GETs only), then <see cref="ExecuteAsync"/>.
    /// </summary>
    internal sealed class SslStrategy
    {
        private readonly RunCloudService _service;
        private readonly AppStateKey? _appKey;
        private readonly string? _baseUri;
        private readonly SslOptions _options;
        private readonly long _s, _w;
        private AppJournal? _journal;
        private AppStateKey? _key;
        private SslJournalData _data = new SslJournalData();
        private LetsEncryptBudget? _budget;

        /// <param name="appKey">The app's journal key (null: nothing is remembered, e.g. in a pure test).</param>
        /// <param name="baseUri">The API root, written into a new journal for a human reader.</param>
        public SslStrategy(RunCloudService service, AppStateKey? appKey, string? baseUri, long serverId, long webAppId, SslOptions? options = null)
        {
            _service = service;
            _appKey = appKey;
            _baseUri = baseUri;
            _s = serverId;
            _w = webAppId;
            _options = options ?? new SslOptions();
        }

        private string App => $"web app {_w} (server {_s})";

        /// <summary>The names remembered as not DNS-ready, from the journal.</summary>
        public IReadOnlyList<NotReadyName> RememberedNotReady => _data.NotReady;

        /// <param name="changed">Advanced mode: the domains added or changed by this run (each gets its own order).</param>
        /// <param name="allDomains">The app's domains after the changes, when the caller has them (saves a listing).</param>
        /// <param name="installIfMissing">Basic mode without a certificate: plan an install (Reset-RunCloudSsl) instead of nothing.</param>
        /// <param name="everyUncovered">Advanced mode: every domain without a certificate is a target (Reset-RunCloudSsl without -Domain).</param>
        public async Task<SslPlan> PlanAsync(IReadOnlyCollection<RunCloudDomain> changed, IReadOnlyList<RunCloudDomain>? allDomains,
            bool installIfMissing, bool everyUncovered, CancellationToken ct)
        {
            LoadJournal();
            var plan = new SslPlan { ServerId = _s, WebAppId = _w };
            RunCloudSsl ssl = _options.KnownAppSsl ?? await _service.GetSslAsync(_s, _w, ct).ConfigureAwait(false);
            plan.AppSsl = ssl;
            if (!ssl.Installed)
            {
                plan.Advanced = _options.KnownAdvanced ?? (await _service.GetSslModeAsync(_s, _w, ct).ConfigureAwait(false)).Advanced;
            }

            plan.HasSsl = ssl.Installed || plan.Advanced;
            if (!plan.HasSsl && !installIfMissing) return plan;

            if (!plan.Advanced)
            {
                IReadOnlyList<RunCloudDomain> all = allDomains ?? await _service.ListDomainsAsync(_s, _w, ct).ConfigureAwait(false);
                await PlanBasicAsync(plan, ssl, all, ct).ConfigureAwait(false);
                return plan;
            }

            // Advanced: this run's changed domains, every uncovered one when asked, and the names earlier runs left waiting.
            var targets = new List<RunCloudDomain>(changed);
            if (everyUncovered || _data.NotReady.Count > 0)
            {
                IReadOnlyList<RunCloudDomain> all = allDomains ?? await _service.ListDomainsAsync(_s, _w, ct).ConfigureAwait(false);
                var waiting = new HashSet<string>(_data.NotReady.Select(n => n.Name), StringComparer.OrdinalIgnoreCase);
                _data.NotReady.RemoveAll(n => !all.Any(d => SslNames.HostNames(d).Contains(n.Name, StringComparer.OrdinalIgnoreCase)));
                foreach (RunCloudDomain d in all)
                {
                    if (targets.Any(t => t.Id == d.Id && t.Id != 0 || string.Equals(t.Name, d.Name, StringComparison.OrdinalIgnoreCase))) continue;
                    if (everyUncovered || SslNames.HostNames(d).Any(waiting.Contains)) targets.Add(d);
                }
            }

            var explicitNames = new HashSet<string>(changed.Select(d => d.Name), StringComparer.OrdinalIgnoreCase);
            await PlanAdvancedAsync(plan, targets, explicitNames, ct).ConfigureAwait(false);
            return plan;
        }

        private async Task PlanBasicAsync(SslPlan plan, RunCloudSsl ssl, IReadOnlyList<RunCloudDomain> all, CancellationToken ct)
        {
            List<string> names = SslNames.All(all);
            plan.NameCount = names.Count;
            int limit = _options.MaxNamesPerCertificate;
            if (limit > 0 && names.Count > limit)
            {
                plan.RefusalErrorId = SslRefusedException.TooManyNames;
                plan.Message = $"The certificate of {App} would need {names.Count} names (www. variants included), and Let's Encrypt puts at most "
                    + $"{limit} in one certificate, so basic SSL (one certificate for the app) cannot cover it. Nothing was requested. "
                    + "Switch the app to advanced SSL, one certificate per domain, then run again.";
                plan.Hint = $"Set-RunCloudSslMode -ServerId {_s} -WebAppId {_w} -Mode Advanced";
                return;
            }

            if (names.Count == 0)
            {
                plan.RefusalErrorId = ErrorIds.InvalidInput;
                plan.Message = $"{App} has no domain to issue a certificate for. Add one with Add-RunCloudDomain first.";
                return;
            }

            if (NeedsDnsCheck(ssl.AuthorizationMethod))
            {
                string? expected = await ExpectedAddressAsync(ct).ConfigureAwait(false);
                DnsReadiness dns = _options.Dns();
                foreach (string name in names)
                {
                    RunCloudDnsCheck check = await dns.CheckAsync(name, expected, ct).ConfigureAwait(false);
                    Remember(check);
                    if (check.Status != DnsReadiness.Ok) plan.NotReady.Add(check);
                }

                if (plan.NotReady.Count > 0)
                {
                    plan.RefusalErrorId = SslRefusedException.NamesNotReady;
                    plan.Message = $"The certificate of {App} cannot be renewed: Let's Encrypt fails the whole HTTP-01 order when one name fails, and "
                        + $"{plan.NotReady.Count} of its {names.Count} name(s) are not ready: "
                        + string.Join("; ", plan.NotReady.Take(5).Select(c => c.Message.TrimEnd('.')))
                        + (plan.NotReady.Count > 5 ? $" (and {plan.NotReady.Count - 5} more)" : string.Empty)
                        + ". Nothing was requested; the names are remembered and checked again by every later run.";
                    plan.Hint = $"Point them at {expected}, or remove them; in advanced SSL mode (Set-RunCloudSslMode -Mode Advanced) the ready names would be covered meanwhile; -SkipDnsCheck if they reach the server another way.";
                    return;
                }
            }

            (string Limit, DateTime PossibleAt)? over = Budget().Check(names, _options.AllowDuplicate);
            if (over.HasValue)
            {
                RefuseForBudget(plan, over.Value, names.Count);
                return;
            }

            plan.Actions.Add(ssl.Installed
                ? new SslAction(SslActionKind.RedeployApp, null, ssl.Id, names)
                : new SslAction(SslActionKind.InstallApp, null, null, names));
        }

        private async Task PlanAdvancedAsync(SslPlan plan, List<RunCloudDomain> targets, HashSet<string> explicitNames, CancellationToken ct)
        {
            DnsReadiness? dns = null;
            string? expected = null;
            foreach (RunCloudDomain domain in targets)
            {
                List<string> names = SslNames.HostNames(domain).ToList();
                // A domain not added yet (a preflight's planned add, id 0) has no certificate: nothing to ask RunCloud.
                RunCloudSsl current = domain.Id > 0 ? await _service.GetDomainSslAsync(domain, ct).ConfigureAwait(false)
                    : new RunCloudSsl { ServerId = _s, WebAppId = _w, Mode = "Advanced", DomainName = domain.Name };
                if (current.Installed && !explicitNames.Contains(domain.Name))
                {
                    // Picked up as "uncovered" or "waiting" but it has its certificate: Let's Encrypt renews it, no new order.
                    _data.NotReady.RemoveAll(n => names.Contains(n.Name, StringComparer.OrdinalIgnoreCase));
                    continue;
                }

                if (NeedsDnsCheck(current.Installed ? current.AuthorizationMethod : "http-01"))
                {
                    dns ??= _options.Dns();
                    expected ??= await ExpectedAddressAsync(ct).ConfigureAwait(false);
                    bool ready = true;
                    foreach (string name in names)
                    {
                        RunCloudDnsCheck check = await dns.CheckAsync(name, expected, ct).ConfigureAwait(false);
                        Remember(check);
                        if (check.Status != DnsReadiness.Ok)
                        {
                            plan.NotReady.Add(check);
                            ready = false;
                        }
                    }

                    if (!ready) continue;
                }

                (string Limit, DateTime PossibleAt)? over = Budget().Check(names, _options.AllowDuplicate);
                if (over.HasValue)
                {
                    plan.Deferred.Add($"{domain.Name}: {over.Value.Limit}; possible from {over.Value.PossibleAt.ToString("u", CultureInfo.InvariantCulture)}");
                    continue;
                }

                plan.Actions.Add(current.Installed && current.Id.HasValue
                    ? new SslAction(SslActionKind.RedeployDomain, domain, current.Id, names)
                    : new SslAction(SslActionKind.InstallDomain, domain, null, names));
                Budget().Record(names); // counted now so the plan itself never passes a limit; rolled back if the order fails
            }
        }

        /// <summary>
        /// Runs the plan's actions; each failure is returned, not thrown, so one name never stops the others.
        /// Saves the journal (unless the caller owns it).
        /// </summary>
        public async Task<List<(SslAction Action, RunCloudApiException Error)>> ExecuteAsync(SslPlan plan, SslInstallRequest? install, CancellationToken ct)
        {
            var failures = new List<(SslAction, RunCloudApiException)>();
            if (plan.Refused) throw Refusal(plan);
            try
            {
                foreach (SslAction action in plan.Actions)
                {
                    try
                    {
                        switch (action.Kind)
                        {
                            case SslActionKind.RedeployApp:
                                if (plan.AppSsl != null && plan.AppSsl.Id == action.SslId)
                                    await SslRedeployer.RedeployAppAsync(_service, _s, _w, plan.AppSsl, ct).ConfigureAwait(false);
                                else
                                    await _service.RedeploySslAsync(_s, _w, action.SslId!.Value, ct).ConfigureAwait(false);
                                Budget().Record(action.Names);
                                break;
                            case SslActionKind.InstallApp:
                                await _service.InstallSslAsync(_s, _w, install ?? new SslInstallRequest(), ct).ConfigureAwait(false);
                                Budget().Record(action.Names);
                                break;
                            case SslActionKind.InstallDomain:
                                await _service.InstallDomainSslAsync(action.Domain!, install ?? new SslInstallRequest(), ct).ConfigureAwait(false);
                                break;
                            case SslActionKind.RedeployDomain:
                                await _service.RedeployDomainSslAsync(action.Domain!, action.SslId!.Value, ct).ConfigureAwait(false);
                                break;
                        }

                        _data.NotReady.RemoveAll(n => action.Names.Contains(n.Name, StringComparer.OrdinalIgnoreCase));
                    }
                    catch (RunCloudApiException ex)
                    {
                        if (action.Kind == SslActionKind.InstallDomain || action.Kind == SslActionKind.RedeployDomain) Unrecord(action.Names);
                        failures.Add((action, ex));
                    }
                }
            }
            finally
            {
                SaveJournal();
            }

            return failures;
        }

        /// <summary>Saves what the plan learned (not-ready names) when it is not executed (refused, or -WhatIf is not a case: then nothing is saved).</summary>
        public void SaveJournal()
        {
            if (_journal == null) return;
            _journal.SetExtension(SslJournalData.Owner, _data.IsEmpty ? null : _data);
            if (_options.Journal != null || _key == null) return; // the caller saves its own journal
            (_options.Store ?? JournalStore.Default()).Save(_key, _journal, _options.Clock());
        }

        /// <summary>
        /// "Make the certificates follow the domains" after domains changed (-ResetSsl, Sync): in basic mode one documented
        /// PUT .../ssl/{id} once the name count, DNS readiness and Let's Encrypt budget allow it; in advanced mode one
        /// order per changed domain. A refusal is thrown as <see cref="SslRefusedException"/>.
        /// </summary>
        public static async Task<SslRunResult> RunAsync(RunCloudService service, AppStateKey? key, string? baseUri, long s, long w,
            IReadOnlyCollection<RunCloudDomain> changedDomains, SslOptions? options, CancellationToken ct,
            IReadOnlyList<RunCloudDomain>? allDomains = null)
        {
            var strategy = new SslStrategy(service, key, baseUri, s, w, options);
            SslPlan plan = await strategy.PlanAsync(changedDomains, allDomains, installIfMissing: false, everyUncovered: false, ct).ConfigureAwait(false);
            if (!plan.HasSsl)
            {
                strategy.SaveJournal();
                return new SslRunResult(RedeployOutcome.NoSsl, plan, new List<(SslAction, RunCloudApiException)>());
            }

            if (plan.Refused)
            {
                strategy.SaveJournal();
                throw Refusal(plan);
            }

            var failures = await strategy.ExecuteAsync(plan, null, ct).ConfigureAwait(false);
            return new SslRunResult(plan.Advanced ? RedeployOutcome.PerDomain : RedeployOutcome.Redeployed, plan, failures);
        }

        /// <summary>
        /// The read-only preflight of a change: what the SSL step would decide for the app's names AFTER the change
        /// (<paramref name="after"/>; planned adds carry id 0), with every check of a real run (names per certificate,
        /// DNS readiness, Let's Encrypt's budget). Sends only GETs and saves nothing: it plans on a copy of the journal's
        /// SSL record. <paramref name="options"/> learns what it read (KnownAppSsl, KnownAdvanced, ExpectedAddress), so
        /// the SSL step that follows the change does not read it again.
        /// </summary>
        public static async Task<SslPlan> PreflightAsync(RunCloudService service, long s, long w, IReadOnlyList<RunCloudDomain> after,
            IReadOnlyCollection<RunCloudDomain> changed, AppJournal? journal, SslOptions options, CancellationToken ct)
        {
            SslOptions copy = options.Clone();
            copy.Journal = new AppJournal { Extensions = journal == null ? new Newtonsoft.Json.Linq.JObject() : (Newtonsoft.Json.Linq.JObject)journal.Extensions.DeepClone() };
            copy.Store = null;
            var strategy = new SslStrategy(service, null, null, s, w, copy);
            SslPlan plan = await strategy.PlanAsync(changed, after, installIfMissing: false, everyUncovered: false, ct).ConfigureAwait(false);
            options.KnownAppSsl = plan.AppSsl;
            if (plan.AppSsl != null && !plan.AppSsl.Installed) options.KnownAdvanced = plan.Advanced;
            options.ExpectedAddress ??= copy.ExpectedAddress;
            return plan;
        }

        internal static SslRefusedException Refusal(SslPlan plan) =>
            new SslRefusedException(plan.RefusalErrorId!, plan.Message!, plan.Hint ?? string.Empty, plan.PossibleAt);

        private void RefuseForBudget(SslPlan plan, (string Limit, DateTime PossibleAt) over, int count)
        {
            plan.RefusalErrorId = SslRefusedException.LetsEncryptLimit;
            plan.PossibleAt = over.PossibleAt;
            plan.Message = $"The certificate of {App} ({count} name(s)) was not requested: {over.Limit}. It becomes possible on "
                + $"{over.PossibleAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC.";
            plan.Hint = "Run again after that date (the journal counts Let's Encrypt orders), or pass -AllowDuplicateCertificate to order anyway.";
        }

        private bool NeedsDnsCheck(string? authorizationMethod) =>
            !_options.SkipDnsCheck && !string.Equals(authorizationMethod, "dns-01", StringComparison.OrdinalIgnoreCase);

        private async Task<string?> ExpectedAddressAsync(CancellationToken ct) =>
            _options.ExpectedAddress ??= (await _service.GetServerAsync(_s, ct).ConfigureAwait(false)).IpAddress;

        private void Remember(RunCloudDnsCheck check)
        {
            DateTime now = _options.Clock();
            NotReadyName? known = _data.NotReady.FirstOrDefault(n => string.Equals(n.Name, check.Name, StringComparison.OrdinalIgnoreCase));
            if (check.Status == DnsReadiness.Ok)
            {
                if (known != null) _data.NotReady.Remove(known);
                return;
            }

            if (known == null)
            {
                known = new NotReadyName { Name = check.Name, FirstSeen = now };
                _data.NotReady.Add(known);
            }

            known.Status = check.Status;
            known.Message = check.Message;
            known.LastChecked = now;
        }

        private LetsEncryptBudget Budget() => _budget ??= new LetsEncryptBudget(_data, _options.Clock());

        private void Unrecord(IReadOnlyCollection<string> names)
        {
            string set = SslNames.SetKey(names);
            Issuance? last = _data.Issuances.LastOrDefault(i => i.Set == set);
            if (last != null) _data.Issuances.Remove(last);
        }

        private void LoadJournal()
        {
            if (_journal != null) return;
            if (_options.Journal != null)
            {
                _journal = _options.Journal;
            }
            else if (_appKey != null)
            {
                _key = _appKey;
                _journal = (_options.Store ?? JournalStore.Default()).Load(_key)
                    ?? AppJournal.For(_key, _baseUri, _options.Clock());
            }

            _data = _journal?.GetExtension<SslJournalData>(SslJournalData.Owner) ?? new SslJournalData();
            if (_options.Journal != null) _key = null;
        }
    }
}
