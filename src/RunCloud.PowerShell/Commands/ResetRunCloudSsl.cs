using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Commands.Completion;
using RunCloud.PowerShell.Ssl;
using RunCloud.PowerShell.Sync;
using RunCloud.PowerShell.State;
using RunCloud.PowerShell.Auth;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Makes a web application's certificate cover every current domain: redeploys it (PUT .../ssl/{id}), installs
    /// one when there is none, or with -Reinstall uninstalls and installs afresh. In advanced SSL mode it works per domain.
    /// </summary>
    [Cmdlet(VerbsCommon.Reset, "RunCloudSsl", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpUris.Base + "Reset-RunCloudSsl.md")]
    [OutputType(typeof(RunCloudSsl))]
    public sealed class ResetRunCloudSslCommand : RunCloudWebAppCmdlet
    {

        /// <summary>Advanced SSL mode: only these domains (wildcards allowed); default all. -Domain is an alias: the domain is -Name everywhere.</summary>
        [Parameter]
        [Alias("Domain", "DomainName", "HostName")]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(DomainNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        [Parameter]
        [ValidateSet("letsencrypt", "custom", IgnoreCase = true)]
        public string Provider { get; set; } = "letsencrypt";

        [Parameter]
        [ValidateSet("live", "staging", IgnoreCase = true)]
        public string Environment { get; set; } = "live";

        [Parameter]
        [ValidateSet("http-01", "dns-01", IgnoreCase = true)]
        public string AuthorizationMethod { get; set; } = "http-01";

        /// <summary>
        /// The DNS integration for dns-01 validation (one of the account's 3rd-party API keys, Get-RunCloudDnsIntegration):
        /// its id, its label, or the object. Resolved against the account (and checked to exist) before any change; sent
        /// as the integer id RunCloud's API takes.
        /// </summary>
        [Parameter]
        [DnsIntegrationTransformation]
        [ArgumentCompleter(typeof(DnsIntegrationCompleter))]
        [ValidateNotNullOrEmpty]
        public string? ExternalApi { get; set; }

        /// <summary>-ExternalApi resolved to the integration's id (per connection: labels belong to an account).</summary>
        private readonly Dictionary<RunCloudConnection, long> _externalApiIds = new Dictionary<RunCloudConnection, long>();
        private long? _externalApiId;

        [Parameter]
        public SwitchParameter EnableHsts { get; set; }

        [Parameter]
        public SwitchParameter EnableHttp { get; set; }

        /// <summary>
        /// For -Provider custom: the PEM certificate chain, the server's certificate first and then its intermediates
        /// (RunCloud takes the chain in this one field; its API shows no separate chain field). The order is checked before
        /// anything is sent.
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Certificate { get; set; }

        /// <summary>For -Provider custom: the PEM private key.</summary>
        [Parameter]
        [ValidateNotNull]
        public SecureString? PrivateKey { get; set; }

        /// <summary>Uninstall the current certificate and install a new one instead of redeploying.</summary>
        [Parameter]
        public SwitchParameter Reinstall { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>Request certificates without checking that the names point at the server. Also RUNCLOUD_SKIP_DNS_CHECK=1.</summary>
        [Parameter]
        public SwitchParameter SkipDnsCheck { get; set; }

        /// <summary>DNS servers (address or address:port) to ask whether the names point at the server.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? DnsServer { get; set; }

        /// <summary>Order a certificate even past Let's Encrypt's 5 duplicates (same names) in 7 days.</summary>
        [Parameter]
        public SwitchParameter AllowDuplicateCertificate { get; set; }

        /// <summary>Error id: a reinstall uninstalled the certificate and could not install a new one; the app has none now.</summary>
        public const string ReinstallFailedErrorId = "RunCloudSslReinstallFailed";

        private const string Command = "Reset-RunCloudSsl";

        protected override void BeginProcessing()
        {
            // Every input is checked here, before the first (possibly destructive) call.
            if (string.Equals(Provider, "custom", StringComparison.OrdinalIgnoreCase))
            {
                if (Certificate == null || PrivateKey == null)
                {
                    ThrowTerminatingError(Invalid(ErrorIds.InvalidInput, "-Provider custom needs -Certificate (PEM text) and -PrivateKey (a SecureString of the PEM key). Nothing was changed.", Provider));
                }

                if (Certificate!.IndexOf("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal) < 0 || Certificate.IndexOf("-----END CERTIFICATE-----", StringComparison.Ordinal) < 0)
                {
                    ThrowTerminatingError(Invalid(ErrorIds.InvalidInput, "-Certificate is not PEM text: it needs a -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE----- block (Get-Content -Raw the .crt/.pem file). Nothing was changed.", "Certificate"));
                }

                string? key = SecureText.ToPlain(PrivateKey!);
                bool keyOk = key != null && key.IndexOf("-----BEGIN", StringComparison.Ordinal) >= 0 && key.IndexOf("PRIVATE KEY-----", StringComparison.Ordinal) >= 0;
                key = null;
                if (!keyOk)
                {
                    ThrowTerminatingError(Invalid(ErrorIds.InvalidInput, "-PrivateKey is not a PEM private key (-----BEGIN ... PRIVATE KEY-----). Nothing was changed.", "PrivateKey"));
                }
            }
            else if (Certificate != null || PrivateKey != null)
            {
                ThrowTerminatingError(Invalid(ErrorIds.InvalidInput, "-Certificate and -PrivateKey are only for -Provider custom. Nothing was changed.", Provider));
            }

            if (string.Equals(AuthorizationMethod, "dns-01", StringComparison.OrdinalIgnoreCase) && ExternalApi == null)
            {
                // RunCloud refuses a DNS-01 order without its integration (422 on externalApi); with -Reinstall it would do
                // so AFTER the uninstall: refused here, before any request.
                ThrowTerminatingError(Invalid(ErrorIds.InvalidInput, "-AuthorizationMethod dns-01 needs -ExternalApi: the DNS integration (its id or label; Get-RunCloudDnsIntegration lists them) "
                    + "through which RunCloud writes the _acme-challenge TXT records. Nothing was changed.", ExternalApi));
            }

            if (ExternalApi != null && !string.Equals(AuthorizationMethod, "dns-01", StringComparison.OrdinalIgnoreCase))
            {
                ThrowTerminatingError(Invalid(ErrorIds.InvalidInput, $"-ExternalApi '{ExternalApi}' is used only by a DNS-01 order: add -AuthorizationMethod dns-01, or leave -ExternalApi out. Nothing was changed.", ExternalApi));
            }

            if (Certificate != null && CertificateChain.Check(Certificate) is string problem)
            {
                ThrowTerminatingError(Invalid(ErrorIds.InvalidInput, problem + " Nothing was changed.", "Certificate"));
            }

            if (Certificate != null && CertificateChain.LacksIntermediates(Certificate))
            {
                WriteWarning("-Certificate holds only the server's certificate, issued by a CA whose certificate is not in it. RunCloud takes the chain in this same field "
                    + "(its API shows no separate chain field): append the intermediate certificate(s) after the server's, or clients that do not have them cached fail to connect.");
            }
        }

        /// <summary>
        /// -ExternalApi as the integration id of this connection's account (looked up by id or label once per account).
        /// An unknown or ambiguous one stops the command before any change.
        /// </summary>
        private void ResolveExternalApi(RunCloudConnection connection, RunCloudService service)
        {
            if (ExternalApi == null) return;
            if (!_externalApiIds.TryGetValue(connection, out long id))
            {
                try
                {
                    RunCloudDnsIntegration integration = Run(ct => service.ResolveDnsIntegrationAsync(ExternalApi, ct));
                    id = integration.Id;
                    WriteVerbose($"RunCloud: -ExternalApi '{ExternalApi}' is the DNS integration {integration} ({integration.Service}).");
                }
                catch (RunCloudApiException ex)
                {
                    ThrowApiError(ex, ExternalApi);
                }

                _externalApiIds[connection] = id;
            }

            _externalApiId = id;
        }

        /// <summary>
        /// Before an install outside the strategy's plan (after an uninstall, or with an explicit provider): an order that
        /// cannot succeed (a wildcard over HTTP-01, a DNS-01 order whose integration is gone) is refused before anything
        /// is uninstalled.
        /// </summary>
        private bool Preflight(RunCloudService service, long serverId, long webAppId, RunCloudDomain? domain, object target)
        {
            SslRefusedException? refused = Run(ct => SslStrategy.PreflightInstallAsync(service, serverId, webAppId, BuildRequest(), domain, ct));
            if (refused == null) return true;
            WriteApiError(refused, target);
            return false;
        }

        private protected override void ProcessWebApp(RunCloudConnection connection, RunCloudService service, long serverId, long webAppId)
        {
            string target = $"web app {webAppId} on server {serverId}";
            bool whatIf = IsWhatIf();
            ResolveExternalApi(connection, service);
            AppJournal? pending = whatIf ? null : EnterApp(Command, connection, serverId, webAppId);
            AppStateKey key = StateKeys.For(connection, serverId, webAppId);
            try
            {
                RunCloudSsl ssl = Run(ct => service.GetSslAsync(serverId, webAppId, ct));
                bool custom = string.Equals(Provider, "custom", StringComparison.OrdinalIgnoreCase);
                bool advanced = !ssl.Installed && (Reinstall || custom) && Run(ct => service.GetSslModeAsync(serverId, webAppId, ct)).Advanced;
                bool done;
                bool passThruDone = false;
                if (ssl.Installed && ssl.Id.HasValue && Reinstall)
                {
                    if (OnlySettingsDiffer(ssl))
                    {
                        // Same provider and validation: change the settings in place, then re-issue; never uninstall.
                        if (!Ask(target, $"Change the settings of SSL certificate {ssl.Id} in place (PATCH) and redeploy it")) return;
                        AppRuns(Command).OweSsl(key, $"{Command} -Reinstall (settings changed in place)");
                        Run(ct => service.UpdateSslSettingsAsync(serverId, webAppId, ssl.Id.Value, EnableHttp, EnableHsts, ct));
                        Run(ct => service.RedeploySslAsync(serverId, webAppId, ssl.Id.Value, ct));
                        done = true;
                    }
                    else
                    {
                        if (!custom && !Preflight(service, serverId, webAppId, null, target)) return;
                        if (!Ask(target, $"Uninstall SSL certificate {ssl.Id} and install a new {Provider} certificate")) return;
                        SslInstallRequest request = BuildRequest();
                        AppRuns(Command).OweReinstall(key, request.ToSettings()); // before the uninstall: a crash cannot leave the app silently without one
                        Run(ct => service.UninstallSslAsync(serverId, webAppId, ssl.Id.Value, ct));
                        done = InstallAfterUninstall(connection, service, serverId, webAppId, request, target);
                    }
                }
                else if (!ssl.Installed && (Reinstall || custom) && !advanced)
                {
                    // Basic mode without a certificate, an explicit provider choice: install it directly.
                    if (!custom && !Preflight(service, serverId, webAppId, null, target)) return;
                    if (!Ask(target, $"Install a {Provider} SSL certificate ({Environment})")) return;
                    done = InstallAfterUninstall(connection, service, serverId, webAppId, BuildRequest(), target, uninstalled: false);
                }
                else if (advanced && Reinstall)
                {
                    // Advanced mode -Reinstall: each chosen domain's certificate is replaced (uninstalled first, 422 otherwise).
                    done = ResetPerDomain(service, serverId, webAppId);
                    passThruDone = true;
                }
                else
                {
                    // The SSL strategy (issue 14): name count, DNS readiness, Let's Encrypt budget; per domain in advanced mode.
                    done = ResetWithStrategy(connection, service, serverId, webAppId, target, key, ssl, whatIf);
                    passThruDone = true;
                }

                if (done && !whatIf)
                {
                    AppRuns(Command).SslDone(key);
                    if (pending != null) WriteWarning($"RunCloud: {target}: finished what a previous run left owed ({SyncExecutor.Describe(pending)}).");
                }

                if (PassThru && done && !passThruDone) WriteObject(Run(ct => service.GetSslAsync(serverId, webAppId, ct)));
            }
            catch (RunCloudApiException ex)
            {
                ErrorRecord record = ErrorRecords.FromApi(ex, target);
                if (!whatIf && AppRuns(Command).Journal(key) != null)
                {
                    record.ErrorDetails = new ErrorDetails(ErrorRecords.WithoutHint(ex) + " The certificate may not cover the app's names; the journal keeps this owed, and the next "
                        + "Reset-RunCloudSsl, Sync-RunCloudDomain or Add-/Remove-RunCloudDomain -ResetSsl on this app finishes it.") { RecommendedAction = ex.Hint };
                }

                WriteError(record);
            }
            catch (StateException ex)
            {
                WriteError(new ErrorRecord(ex, ex.ErrorId, ErrorCategory.ResourceUnavailable, target) { ErrorDetails = new ErrorDetails(ex.Message) });
            }
        }

        /// <summary>
        /// The SSL strategy decides: basic mode, one redeploy (or install) when the names fit in one certificate, are
        /// DNS-ready and within Let's Encrypt's budget; advanced mode, one order per domain that needs one (the -Domain
        /// names, else every domain without a certificate), never the whole app.
        /// </summary>
        /// <returns>True when every planned order was sent and succeeded (then nothing stays owed in the journal).</returns>
        private bool ResetWithStrategy(RunCloud.PowerShell.Session.RunCloudConnection connection, RunCloudService service, long serverId, long webAppId, string target,
            AppStateKey key, RunCloudSsl appSsl, bool whatIf)
        {
            SslOptions options = BuildSslOptions(SkipDnsCheck, DnsServer, AllowDuplicateCertificate);
            options.KnownAppSsl = appSsl;
            options.Install = BuildRequest(); // the plan judges an install by how it would validate (HTTP-01 or DNS-01)
            // The strategy records its "ssl" extension into the journal this command holds (under the app's lock), saved below.
            if (!whatIf) options.Journal = AppRuns(Command).OpenJournal(key);
            try
            {
                return ResetWithStrategy(service, serverId, webAppId, target, key, options, connection);
            }
            finally
            {
                if (!whatIf) AppRuns(Command).Save(key);
            }
        }

        private bool ResetWithStrategy(RunCloudService service, long serverId, long webAppId, string target, AppStateKey key, SslOptions options,
            RunCloud.PowerShell.Session.RunCloudConnection connection)
        {
            var strategy = new SslStrategy(service, connection.StateKey(serverId, webAppId), connection.BaseUri.AbsoluteUri, serverId, webAppId, options);
            List<RunCloudDomain>? all = null;
            var chosen = new List<RunCloudDomain>();
            if (Name != null)
            {
                Func<string, bool> byName = NameFilter(Name)!;
                all = Run(ct => service.ListDomainsAsync(serverId, webAppId, ct));
                chosen = all.Where(d => byName(d.Name)).ToList();
                if (chosen.Count == 0)
                {
                    WriteError(new ErrorRecord(new ItemNotFoundException($"No domain of web app {webAppId} matches {string.Join(", ", Name)}."),
                        ErrorIds.DomainNotFound, ErrorCategory.ObjectNotFound, Name));
                    return false;
                }
            }

            SslPlan plan = Run(ct => strategy.PlanAsync(chosen, all, installIfMissing: true, everyUncovered: Name == null, ct));
            if (plan.Refused)
            {
                strategy.SaveJournal();
                WriteApiError(SslStrategy.Refusal(plan), target);
                return false;
            }

            if (Name != null && !plan.Advanced)
            {
                WriteVerbose("RunCloud: -Domain applies to advanced SSL mode only; the web app has one certificate for all its names.");
            }

            int declined = plan.Actions.RemoveAll(a => !Ask(a.Domain?.Name ?? target, a.ToString()));
            if (IsWhatIf())
            {
                ReportSslRun(new SslRunResult(RedeployOutcome.NoSsl, plan, new List<(SslAction, RunCloudApiException)>()), target);
                return false;
            }

            if (!plan.Advanced && plan.Actions.Count > 0) AppRuns(Command).OweSsl(key, $"{Command} redeploys"); // before the order: a crash cannot lose it

            var failures = Run(ct => strategy.ExecuteAsync(plan, BuildRequest(), ct));
            ReportSslRun(new SslRunResult(plan.Advanced ? RedeployOutcome.PerDomain : RedeployOutcome.Redeployed, plan, failures), target, owedInJournal: !plan.Advanced);
            foreach (SslAction ok in plan.Actions.Where(a => !failures.Any(f => f.Action == a)))
            {
                WriteVerbose($"RunCloud: {ok} on the {target}: done.");
            }

            bool done = failures.Count == 0 && declined == 0;
            if (!PassThru) return done;
            if (!plan.Advanced)
            {
                WriteObject(Run(ct => service.GetSslAsync(serverId, webAppId, ct)));
                return done;
            }

            foreach (SslAction ok in plan.Actions.Where(a => a.Domain != null && !failures.Any(f => f.Action == a)))
            {
                WriteObject(Run(ct => service.GetDomainSslAsync(ok.Domain!, ct)));
            }

            return done;
        }

        /// <summary>A reinstall with the same provider and validation only changes settings: PATCH them in place instead.</summary>
        private bool OnlySettingsDiffer(RunCloudSsl current) =>
            !string.Equals(Provider, "custom", StringComparison.OrdinalIgnoreCase)
            && string.Equals(current.Method, Provider, StringComparison.OrdinalIgnoreCase)
            && string.Equals(current.AuthorizationMethod ?? "http-01", AuthorizationMethod, StringComparison.OrdinalIgnoreCase)
            && current.Staging == string.Equals(Environment, "staging", StringComparison.OrdinalIgnoreCase)
            && _externalApiId == null;

        /// <summary>
        /// POST .../ssl, retried per the connection's policy when RunCloud fails (never blindly after an ambiguous
        /// failure: it looks first). When it cannot install after an uninstall, the journal keeps the reinstall owed and
        /// the error says plainly that the app has no certificate now.
        /// </summary>
        private bool InstallAfterUninstall(RunCloudConnection connection, RunCloudService service, long serverId, long webAppId, SslInstallRequest request,
            string target, bool uninstalled = true)
        {
            int attempts = Math.Max(1, Math.Min(connection.RetryPolicy.MaxAttempts, 5));
            RunCloudApiException? last = null;
            for (int attempt = 1; attempt <= attempts; attempt++)
            {
                try
                {
                    Run(ct => service.InstallSslAsync(serverId, webAppId, request, ct));
                    WriteVerbose($"RunCloud: {Provider} certificate installed on web app {webAppId}.");
                    return true;
                }
                catch (RunCloudApiException ex)
                {
                    last = ex;
                    if (ex.MayHaveBeenApplied)
                    {
                        RunCloudSsl now = Run(ct => service.GetSslAsync(serverId, webAppId, ct));
                        if (now.Installed) return true;
                    }

                    bool retriable = ex.MayHaveBeenApplied || ex.StatusCode == 0 || ex.StatusCode == 429 || ex.StatusCode >= 500;
                    if (!retriable || attempt == attempts) break;
                    TimeSpan wait = connection.RetryPolicy.BackOff(attempt);
                    WriteVerbose($"RunCloud: installing the certificate on {target} failed ({ex.Message}); trying again in {wait.TotalSeconds:0.#} s (attempt {attempt + 1} of {attempts}).");
                    Run(ct => System.Threading.Tasks.Task.Delay(wait, ct));
                }
            }

            if (!uninstalled) throw last!;
            string message = $"The {target} has NO SSL certificate now: the old one was uninstalled, and installing the new {Provider} certificate failed ({last!.Message}). "
                + "The journal keeps the reinstall owed: the next Reset-RunCloudSsl (or Sync-RunCloudDomain) on this app installs one. Fix the cause first if RunCloud refused the settings.";
            WriteError(new ErrorRecord(last, ReinstallFailedErrorId, ErrorCategory.ResourceUnavailable, target)
            {
                ErrorDetails = new ErrorDetails(message) { RecommendedAction = $"Reset-RunCloudSsl -ServerId {serverId} -WebAppId {webAppId}" },
            });
            return false;
        }

        private bool ResetPerDomain(RunCloudService service, long serverId, long webAppId)
        {
            bool allDone = true;
            Func<string, bool>? byName = NameFilter(Name);
            List<RunCloudDomain> domains = Run(ct => service.ListDomainsAsync(serverId, webAppId, ct));
            List<RunCloudDomain> chosen = domains.Where(d => byName == null || byName(d.Name)).ToList();
            if (Name != null && chosen.Count == 0)
            {
                WriteError(new ErrorRecord(new ItemNotFoundException($"No domain of web app {webAppId} matches {string.Join(", ", Name)}."),
                    ErrorIds.DomainNotFound, ErrorCategory.ObjectNotFound, Name));
                return false;
            }

            foreach (RunCloudDomain domain in chosen)
            {
                try
                {
                    RunCloudSsl current = Run(ct => service.GetDomainSslAsync(domain, ct));
                    DomainSslAction action = SslRedeployer.DecideForDomain(current, Reinstall);
                    string what = action == DomainSslAction.Redeploy
                        ? $"Redeploy the domain's SSL certificate {current.Id}"
                        : $"Install a {Provider} SSL certificate for the domain";
                    if (action == DomainSslAction.Install && !string.Equals(Provider, "custom", StringComparison.OrdinalIgnoreCase)
                        && !Preflight(service, serverId, webAppId, domain, domain)) { allDone = false; continue; }
                    if (!Ask(domain.Name, what)) { allDone = false; continue; }
                    SslInstallRequest request = BuildRequest();
                    if (Reinstall && current.Installed && current.Id.HasValue)
                    {
                        // Installing over an existing per-domain certificate is refused (422): remove it first.
                        Run(ct => service.UninstallDomainSslAsync(domain, current.Id.Value, ct));
                    }

                    Run(ct => SslRedeployer.ApplyToDomainAsync(service, domain, current, action, request, ct));

                    if (PassThru) WriteObject(Run(ct => service.GetDomainSslAsync(domain, ct)));
                }
                catch (RunCloudApiException ex)
                {
                    allDone = false;
                    WriteApiError(ex, domain);
                }
            }

            return allDone;
        }

        private SslInstallRequest BuildRequest() => new SslInstallRequest
        {
            Provider = Provider.ToLowerInvariant(),
            Environment = Environment.ToLowerInvariant(),
            AuthorizationMethod = AuthorizationMethod.ToLowerInvariant(),
            ExternalApi = _externalApiId,
            EnableHsts = EnableHsts,
            EnableHttp = EnableHttp,
            Certificate = Certificate,
            PrivateKey = PrivateKey == null ? null : SecureText.ToPlain(PrivateKey),
        };
    }
}
