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
    /// there for the duplicate, per-registered-domain and orders-per-3-hours limits;</item>
    /// <item>a wildcard (*.example.com) never enters an HTTP-01 order, which Let's Encrypt fails as a whole: in basic mode
    /// such a certificate is refused before any order (DNS-01 through a DNS integration, or advanced mode, are the ways
    /// out); in advanced mode the wildcard's own order waits for DNS-01 and the other names proceed. A DNS-01 order is
    /// ready only through its DNS integration, which must exist.</item>
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
        private readonly Dictionary<long, bool> _integrations = new Dictionary<long, bool>();
        private readonly Dictionary<long, RunCloudDnsRecord[]> _instructions = new Dictionary<long, RunCloudDnsRecord[]>();

        /// <summary>At most this many domains' DNS instructions are read per plan (one GET each) for the not-ready warnings.</summary>
        internal const int MaxInstructionReads = 5;

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

            // How the order validates: the certificate's own method for a redeploy, the install's for a new one.
            string method = ssl.Installed ? ssl.AuthorizationMethod ?? "http-01" : _options.Install?.AuthorizationMethod ?? "http-01";
            bool dns01 = IsDns01(method);
            List<string> wildcards = names.Where(SslNames.IsWildcard).ToList();
            if (!dns01 && wildcards.Count > 0)
            {
                // Let's Encrypt fails a whole HTTP-01 order that holds a wildcard: refused before any order, whatever
                // -SkipDnsCheck says. Nothing is remembered as "waiting": the redeploy stays owed in the journal (when it
                // was), so the run after the fix finishes it, and until then every run says this once without ordering.
                plan.RefusalErrorId = SslRefusedException.WildcardNeedsDns01;
                plan.NotReady.AddRange(wildcards.Select(w => new RunCloudDnsCheck { Name = w, LookedUp = w, Status = DnsReadiness.NeedsDns01, Message = DnsReadiness.WildcardMessage(w, null) }));
                plan.Message = $"The certificate of {App} would have to cover {Quote(wildcards)} over HTTP-01, and Let's Encrypt validates wildcard names only over DNS-01: "
                    + $"it would fail the whole order for all {names.Count} name(s). Nothing was requested (no Let's Encrypt order spent). Two ways out: issue the app's certificate "
                    + $"over DNS-01 through a DNS integration (Reset-RunCloudSsl -ServerId {_s} -WebAppId {_w} -Reinstall -AuthorizationMethod dns-01 -ExternalApi <integration>; "
                    + "Get-RunCloudDnsIntegration lists them), or switch the app to advanced SSL (Set-RunCloudSslMode -Mode Advanced), where the other names get their own "
                    + "certificates over HTTP-01 and the wildcard its own DNS-01 order.";
                plan.Hint = $"Reset-RunCloudSsl -ServerId {_s} -WebAppId {_w} -Reinstall -AuthorizationMethod dns-01 -ExternalApi <integration>";
                return;
            }

            if (dns01)
            {
                long? api = ssl.Installed ? ssl.ApiId : _options.Install?.ExternalApi;
                if (api.HasValue && !await IntegrationExistsAsync(api.Value, ct).ConfigureAwait(false))
                {
                    plan.RefusalErrorId = SslRefusedException.DnsIntegrationMissing;
                    plan.Message = $"The certificate of {App} is validated over DNS-01 through DNS integration {api}, which this account no longer has: RunCloud could not write "
                        + "the _acme-challenge TXT records, and the order would fail. Nothing was requested. Reinstall the certificate with an existing integration.";
                    plan.Hint = $"Reset-RunCloudSsl -ServerId {_s} -WebAppId {_w} -Reinstall -AuthorizationMethod dns-01 -ExternalApi <integration> (Get-RunCloudDnsIntegration lists them)";
                    return;
                }
            }

            if (NeedsDnsCheck(method))
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
                    await AddInstructionsAsync(plan.NotReady, all, ct).ConfigureAwait(false);
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
                RunCloudSsl current = domain.Id > 0 ? await _service.GetDomainSslAsync(domain, ct, _options.JustAdded.Contains(domain.Id)).ConfigureAwait(false)
                    : new RunCloudSsl { ServerId = _s, WebAppId = _w, Mode = "Advanced", DomainName = domain.Name };
                if (current.Installed && !explicitNames.Contains(domain.Name))
                {
                    // Picked up as "uncovered" or "waiting" but it has its certificate: Let's Encrypt renews it, no new order.
                    _data.NotReady.RemoveAll(n => names.Contains(n.Name, StringComparer.OrdinalIgnoreCase));
                    continue;
                }

                string method = current.Installed ? current.AuthorizationMethod ?? "http-01" : _options.Install?.AuthorizationMethod ?? "http-01";
                if (!IsDns01(method) && names.Any(SslNames.IsWildcard))
                {
                    // The wildcard's own order needs DNS-01; the other domains go ahead. Remembered, so every later run
                    // looks again (and says so once) without ordering, until it is ordered over DNS-01.
                    string w = names.First(SslNames.IsWildcard);
                    var check = new RunCloudDnsCheck
                    {
                        Name = w, LookedUp = w, Status = DnsReadiness.NeedsDns01,
                        Message = DnsReadiness.WildcardMessage(w, null) + $" For this domain: Reset-RunCloudSsl -ServerId {_s} -WebAppId {_w} -Name '{domain.Name}' "
                            + (current.Installed ? "-Reinstall " : string.Empty) + "-AuthorizationMethod dns-01 -ExternalApi <integration>.",
                    };
                    Remember(check);
                    plan.NotReady.Add(check);
                    continue;
                }

                if (IsDns01(method))
                {
                    long? api = current.Installed ? current.ApiId : _options.Install?.ExternalApi;
                    if (api.HasValue && !await IntegrationExistsAsync(api.Value, ct).ConfigureAwait(false))
                    {
                        var check = new RunCloudDnsCheck
                        {
                            Name = domain.Name, LookedUp = domain.Name, Status = DnsReadiness.NoDnsIntegration,
                            Message = $"{domain.Name}'s certificate is validated over DNS-01 through DNS integration {api}, which this account no longer has, so its order would fail. "
                                + $"Reinstall it with an existing integration: Reset-RunCloudSsl -ServerId {_s} -WebAppId {_w} -Name '{domain.Name}' -Reinstall -AuthorizationMethod dns-01 -ExternalApi <integration>.",
                        };
                        Remember(check);
                        plan.NotReady.Add(check);
                        continue;
                    }
                }

                if (NeedsDnsCheck(method))
                {
                    dns ??= _options.Dns();
                    expected ??= await ExpectedAddressAsync(ct).ConfigureAwait(false);
                    bool ready = true;
                    var failed = new List<RunCloudDnsCheck>();
                    foreach (string name in names)
                    {
                        RunCloudDnsCheck check = await dns.CheckAsync(name, expected, ct).ConfigureAwait(false);
                        Remember(check);
                        if (check.Status != DnsReadiness.Ok)
                        {
                            plan.NotReady.Add(check);
                            failed.Add(check);
                            ready = false;
                        }
                    }

                    if (!ready)
                    {
                        await AddInstructionsAsync(failed, new[] { domain }, ct).ConfigureAwait(false);
                        continue;
                    }
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
                                await _service.InstallSslAsync(_s, _w, install ?? _options.Install ?? new SslInstallRequest(), ct).ConfigureAwait(false);
                                Budget().Record(action.Names);
                                break;
                            case SslActionKind.InstallDomain:
                                await _service.InstallDomainSslAsync(action.Domain!, install ?? _options.Install ?? new SslInstallRequest(), ct).ConfigureAwait(false);
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
            _journal.SetExtension(SslJournalData.Owner, _data.IsEmpty ? null : _data.ToJson());
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
        /// Before a Let's Encrypt certificate is installed outside a plan (Reset-RunCloudSsl -Reinstall uninstalls first):
        /// the refusal of an order that cannot succeed, or null. GETs only. An HTTP-01 order whose names hold a wildcard
        /// (the app's domains in basic mode, or <paramref name="domain"/>'s names) fails as a whole; a DNS-01 order whose
        /// DNS integration does not exist fails too.
        /// </summary>
        public static async Task<SslRefusedException?> PreflightInstallAsync(RunCloudService service, long s, long w, SslInstallRequest request,
            RunCloudDomain? domain, CancellationToken ct)
        {
            if (!string.Equals(request.Provider, "letsencrypt", StringComparison.OrdinalIgnoreCase)) return null;
            string app = $"web app {w} (server {s})";
            if (IsDns01(request.AuthorizationMethod))
            {
                if (request.ExternalApi.HasValue && await service.GetDnsIntegrationAsync(request.ExternalApi.Value, ct).ConfigureAwait(false) == null)
                {
                    return new SslRefusedException(SslRefusedException.DnsIntegrationMissing,
                        $"DNS integration {request.ExternalApi} does not exist on this account, so RunCloud could not write the TXT records of a DNS-01 order for {app}. Nothing was changed.",
                        "Get-RunCloudDnsIntegration lists the account's DNS integrations; pass one of them to -ExternalApi.");
                }

                return null;
            }

            List<string> names = domain != null
                ? SslNames.HostNames(domain).ToList()
                : SslNames.All(await service.ListDomainsAsync(s, w, ct).ConfigureAwait(false));
            List<string> wildcards = names.Where(SslNames.IsWildcard).ToList();
            if (wildcards.Count == 0) return null;
            string whose = domain != null ? $"the certificate of {domain.Name}" : $"the certificate of {app}";
            return new SslRefusedException(SslRefusedException.WildcardNeedsDns01,
                $"{char.ToUpperInvariant(whose[0])}{whose.Substring(1)} would have to cover {Quote(wildcards)} over HTTP-01, and Let's Encrypt validates wildcard names only over DNS-01: "
                + "the whole order would fail" + (domain == null ? " (after the old certificate was uninstalled)" : string.Empty) + ". Nothing was changed. "
                + "Order it over DNS-01 through a DNS integration (-AuthorizationMethod dns-01 -ExternalApi <integration>; Get-RunCloudDnsIntegration lists them)"
                + (domain == null ? ", or switch the app to advanced SSL (Set-RunCloudSslMode -Mode Advanced) so the other names get their own certificates over HTTP-01." : "."),
                $"Reset-RunCloudSsl -ServerId {s} -WebAppId {w}" + (domain != null ? $" -Name '{domain.Name}'" : string.Empty) + " -Reinstall -AuthorizationMethod dns-01 -ExternalApi <integration>");
        }

        /// <summary>
        /// A certificate was uninstalled on purpose (Remove-RunCloudSsl): the journal must not make a later run order it
        /// again. For the app's certificate (<paramref name="names"/> null) every name waiting to be covered is forgotten;
        /// for one domain's, the names of that domain. Returns how many remembered names were dropped.
        /// </summary>
        public static int ForgetCertificate(AppJournal journal, IReadOnlyCollection<string>? names)
        {
            SslJournalData? data = journal.GetExtension(SslJournalData.Owner, SslJournalData.FromJson);
            if (data == null) return 0;
            int dropped = names == null
                ? data.NotReady.RemoveAll(_ => true)
                : data.NotReady.RemoveAll(n => names.Contains(n.Name, StringComparer.OrdinalIgnoreCase));
            journal.SetExtension(SslJournalData.Owner, data.IsEmpty ? null : data.ToJson());
            return dropped;
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

        private bool NeedsDnsCheck(string? authorizationMethod) => !_options.SkipDnsCheck && !IsDns01(authorizationMethod);

        private static bool IsDns01(string? authorizationMethod) => string.Equals(authorizationMethod, "dns-01", StringComparison.OrdinalIgnoreCase);

        private static string Quote(IReadOnlyCollection<string> names) =>
            string.Join(", ", names.Take(3)) + (names.Count > 3 ? $" (and {names.Count - 3} more wildcard names)" : string.Empty);

        /// <summary>
        /// Whether the DNS integration a DNS-01 order names exists: a DNS-01 name is ready only through it (read once per
        /// plan; a 404 is judged by the account's listing, see RunCloudService.GetDnsIntegrationAsync).
        /// </summary>
        private async Task<bool> IntegrationExistsAsync(long id, CancellationToken ct)
        {
            if (_integrations.TryGetValue(id, out bool known)) return known;
            bool exists = await _service.GetDnsIntegrationAsync(id, ct).ConfigureAwait(false) != null;
            _integrations[id] = exists;
            return exists;
        }

        /// <summary>
        /// Adds RunCloud's own DNS instructions (GET .../domains/{d}/dns) to names that are not DNS-ready: what records to
        /// create, in the check and its message (the not-ready warning). At most <see cref="MaxInstructionReads"/> domains
        /// per plan; a failed read only leaves the instructions out.
        /// </summary>
        private async Task AddInstructionsAsync(IEnumerable<RunCloudDnsCheck> checks, IEnumerable<RunCloudDomain> domains, CancellationToken ct)
        {
            List<RunCloudDomain> known = domains.Where(d => d.Id > 0).ToList();
            foreach (RunCloudDnsCheck check in checks)
            {
                if (check.Status != DnsReadiness.WrongAddress && check.Status != DnsReadiness.NotResolved) continue;
                RunCloudDomain? domain = known.FirstOrDefault(d => SslNames.HostNames(d).Contains(check.Name, StringComparer.OrdinalIgnoreCase));
                if (domain == null) continue;
                if (!_instructions.TryGetValue(domain.Id, out RunCloudDnsRecord[]? records))
                {
                    if (_instructions.Count >= MaxInstructionReads) continue;
                    try
                    {
                        records = (await _service.GetDomainDnsAsync(domain, ct).ConfigureAwait(false)).ToArray();
                    }
                    catch (RunCloudApiException ex)
                    {
                        _service.Log?.Verbose($"RunCloud: RunCloud's DNS instructions for {domain.Name} could not be read ({ex.Message}); the warning goes without them.");
                        records = Array.Empty<RunCloudDnsRecord>();
                    }

                    _instructions[domain.Id] = records;
                }

                RunCloudDnsRecord[] forName = records.Where(r => string.Equals(r.Name, check.Name, StringComparison.OrdinalIgnoreCase)).ToArray();
                check.Instructions = forName.Length > 0 ? forName : records;
                if (check.Instructions.Length > 0)
                {
                    check.Message = check.Message.TrimEnd() + " RunCloud's DNS instructions: "
                        + string.Join("; ", check.Instructions.Select(r => $"{r.Type} {r.Name} -> {r.Content}")) + ".";
                }
            }
        }

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

            _data = _journal?.GetExtension(SslJournalData.Owner, SslJournalData.FromJson) ?? new SslJournalData();
            if (_options.Journal != null) _key = null;
        }
    }
}
