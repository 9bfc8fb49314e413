using System;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Http;
using System.Security;
using RunCloud.PowerShell.Auth;
using RunCloud.PowerShell.Commands.Completion;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Opens a connection to RunCloud, checks the credentials with GET ping, and makes it the default for every
    /// later cmdlet in this runspace, closing the default it replaces.
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "RunCloud", DefaultParameterSetName = EnvironmentSet, HelpUri = HelpUris.Base + "Connect-RunCloud.md")]
    [OutputType(typeof(RunCloudConnection))]
    public sealed class ConnectRunCloudCommand : RunCloudCmdlet
    {
        private const string ApiKeySet = "ApiKey";
        private const string CredentialSet = "Credential";
        private const string TokenSet = "Token";
        private const string WpConfigSet = "WpConfig";
        private const string EnvironmentSet = "Environment";
        private const string VaultSet = "Vault";

        /// <summary>
        /// Keeps this connection under a name, side by side with others (one per account): cmdlets then take
        /// -Connection &lt;name&gt;, and a fleet manifest's targets name it. A named connection does not replace the default one.
        /// Connecting again under the same name replaces (and closes) the old connection.
        /// </summary>
        [Parameter]
        [Alias("ConnectionName")]
        [ValidateNotNullOrEmpty]
        public string? Name { get; set; }

        /// <summary>A SecretManagement vault that holds the credential (read with Get-Secret).</summary>
        [Parameter(Mandatory = true, ParameterSetName = VaultSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VaultNameCompleter))]
        public string Vault { get; set; } = string.Empty;

        /// <summary>The name of the secret in -Vault: an API token (SecureString or string), a PSCredential (API key + secret), or a hashtable with Token or ApiKey/ApiSecret.</summary>
        [Parameter(Mandatory = true, ParameterSetName = VaultSet)]
        [ValidateNotNullOrEmpty]
        public string SecretName { get; set; } = string.Empty;

        /// <summary>RunCloud API key (v2 HTTP Basic user name).</summary>
        [Parameter(Mandatory = true, ParameterSetName = ApiKeySet)]
        [ValidateNotNullOrEmpty]
        public string ApiKey { get; set; } = string.Empty;

        /// <summary>RunCloud API secret (v2 HTTP Basic password).</summary>
        [Parameter(Mandatory = true, ParameterSetName = ApiKeySet)]
        [ValidateNotNull]
        public SecureString? ApiSecret { get; set; }

        /// <summary>API key as the user name and API secret as the password.</summary>
        [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
        [ValidateNotNull]
        [Credential]
        public PSCredential? Credential { get; set; }

        /// <summary>RunCloud API token (HTTP Bearer).</summary>
        [Parameter(Mandatory = true, ParameterSetName = TokenSet)]
        [ValidateNotNull]
        public SecureString? Token { get; set; }

        /// <summary>A WordPress wp-config.php that defines the WU_RUNCLOUD_* constants.</summary>
        [Parameter(Mandatory = true, ParameterSetName = WpConfigSet)]
        [ValidateNotNullOrEmpty]
        public string WpConfigPath { get; set; } = string.Empty;

        [Parameter]
        [ValidateSet("v2", "v3", IgnoreCase = true)]
        public string? ApiVersion { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? BaseUri { get; set; }

        [Parameter]
        [ArgumentCompleter(typeof(ServerIdCompleter))]
        [ValidateRange(1, long.MaxValue)]
        public long? ServerId { get; set; }

        [Parameter]
        [Alias("AppId")]
        [ArgumentCompleter(typeof(WebAppIdCompleter))]
        [ValidateRange(1, long.MaxValue)]
        public long? WebAppId { get; set; }

        /// <summary>Client-side limit: requests per -RateLimitWindow (0 turns it off).</summary>
        [Parameter]
        [ValidateRange(0, 1000000)]
        public int RateLimit { get; set; } = 60;

        [Parameter]
        public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromMinutes(1);

        [Parameter]
        [ValidateRange(1, 20)]
        public int MaxAttempts { get; set; } = 5;

        [Parameter]
        public TimeSpan MaxRetryDuration { get; set; } = TimeSpan.FromMinutes(2);

        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSec { get; set; } = 100;

        /// <summary>
        /// Largest answer body accepted, in bytes (default 4 MB; RunCloud's answers are a few KB). A larger answer is not
        /// read further and fails with RunCloudInvalidResponse, so a broken or hostile server cannot exhaust memory.
        /// </summary>
        [Parameter]
        [ValidateRange(1024L, 1073741824L)]
        public long MaxResponseSize { get; set; } = RunCloudConnection.DefaultMaxResponseSize;

        [Parameter]
        public Uri? Proxy { get; set; }

        [Parameter]
        [Credential]
        public PSCredential? ProxyCredential { get; set; }

        [Parameter]
        public SwitchParameter SkipValidation { get; set; }

        /// <summary>
        /// The account's API calls a month (RunCloud's plan: e.g. 400000 on Enterprise). A sync whose month-end projection
        /// would pass it warns; one that would take the month's calls past -QuotaStopPercent of it stops before sending.
        /// </summary>
        [Parameter]
        [ValidateRange(1L, long.MaxValue)]
        public long? MonthlyQuota { get; set; }

        /// <summary>With -MonthlyQuota: the share of the quota, in percent, past which syncs stop before sending (default 90).</summary>
        [Parameter]
        [ValidateRange(1, 100)]
        public int QuotaStopPercent { get; set; } = 90;

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            if (RateLimitWindow <= TimeSpan.Zero)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, "-RateLimitWindow must be longer than zero, e.g. 00:01:00.", RateLimitWindow));
            }

            if (Name != null && Input.ConnectionName.Problem(Name) is string nameProblem)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, "-Name: " + nameProblem, Name));
            }

            ResolvedCredential resolved = ResolveCredential();
            // The summary line below names the credential source; a note that only repeats it ("Using the API token
            // from ...") would print the same fact twice.
            foreach (string note in resolved.Notes.Where(n => !n.StartsWith("Using the ", StringComparison.Ordinal))) WriteVerbose(note);
            foreach (string warning in resolved.Warnings) WriteWarning(warning);

            // RUNCLOUD_BASE_URI and RUNCLOUD_API_VERSION are the defaults of -BaseUri and -ApiVersion (not secrets: -Verbose
            // names the variable, and an error shows the value), so a scheduled task configures everything by environment.
            string? baseUriText = BaseUri;
            string? baseUriVariable = null;
            if (baseUriText == null && Environment.GetEnvironmentVariable(CredentialResolver.BaseUriVariable) is string envUri && envUri.Trim().Length > 0)
            {
                baseUriText = envUri.Trim();
                baseUriVariable = CredentialResolver.BaseUriVariable;
                WriteVerbose($"RunCloud: API address from {CredentialResolver.BaseUriVariable} (-BaseUri not given).");
            }

            string? version = ApiVersion?.ToLowerInvariant();
            if (version == null && Environment.GetEnvironmentVariable(CredentialResolver.ApiVersionVariable) is string envVersion && envVersion.Trim().Length > 0)
            {
                version = envVersion.Trim().ToLowerInvariant();
                if (version != "v2" && version != "v3")
                {
                    ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput,
                        $"{CredentialResolver.ApiVersionVariable} is '{envVersion.Trim()}'; it must be v2 or v3 (or unset: v3 for a token, v2 for a key and secret).", envVersion));
                }

                WriteVerbose($"RunCloud: API version {version} from {CredentialResolver.ApiVersionVariable} (-ApiVersion not given).");
            }

            if (version == null && !UsesBaseUriVersion(baseUriText))
            {
                version = resolved.Credential.Kind == RunCloudAuthenticationKind.Token ? "v3" : "v2";
            }

            Uri baseUri;
            try
            {
                baseUri = RunCloudConnection.ResolveBaseUri(baseUriText, ref version);
            }
            catch (ArgumentException ex)
            {
                ArgumentException shown = baseUriVariable == null ? ex : new ArgumentException($"{baseUriVariable}: {ex.Message}", ex);
                ThrowTerminatingError(ErrorRecords.Wrap(shown, ErrorIds.InvalidBaseUri, ErrorCategory.InvalidArgument, baseUriText));
                return;
            }

            if (version == "v3" && resolved.Credential.Kind == RunCloudAuthenticationKind.ApiKey)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput,
                    "RunCloud API v3 accepts only an API token (Bearer). Use -ApiVersion v2 with an API key and secret, or connect with -Token.", version));
            }

            IWebProxy? proxy = null;
            NetworkCredential? proxyCredential = null;
            if (Proxy != null)
            {
                // Credentials in the URL (http://user:pass@host) are taken out of it at once and kept like -ProxyCredential:
                // the password as a SecureString, the address without user info, so neither the connection object nor an
                // error text ever holds them.
                proxyCredential = ProxyCredential != null ? new NetworkCredential(ProxyCredential.UserName, ProxyCredential.Password) : null;
                if (!string.IsNullOrEmpty(Proxy.UserInfo))
                {
                    string[] parts = Proxy.UserInfo.Split(new[] { ':' }, 2);
                    if (proxyCredential == null)
                    {
                        proxyCredential = new NetworkCredential(Uri.UnescapeDataString(parts[0]),
                            Auth.SecureText.FromPlain(parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : string.Empty));
                    }
                }

                proxy = new WebProxy(RunCloudConnection.WithoutUserInfo(Proxy)) { Credentials = proxyCredential };
            }

            var retry = new RetryPolicy
            {
                MaxAttempts = MaxAttempts,
                MaxRetryDuration = MaxRetryDuration,
                Timeout = TimeSpan.FromSeconds(TimeoutSec),
            };
            RateLimiter limiter = AccountRateLimiters.For(baseUri, resolved.Credential.Identity, RateLimit, RateLimitWindow);
            if (MyInvocation.BoundParameters.ContainsKey(nameof(QuotaStopPercent)) && !MonthlyQuota.HasValue)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, "-QuotaStopPercent is a share of -MonthlyQuota: pass -MonthlyQuota too (the account's API calls a month).", QuotaStopPercent));
            }

            ApiUsageMeter usage = LedgerUsageStore.MeterFor(baseUri, resolved.Credential);
            if (MonthlyQuota.HasValue)
            {
                usage.MonthlyQuota = MonthlyQuota.Value;
                usage.StopShare = QuotaStopPercent / 100.0;
            }

            var connection = new RunCloudConnection(baseUri, version!, resolved.Credential, resolved.Source, retry, RateLimit, RateLimitWindow, proxy,
                limiter: limiter, usage: usage)
            {
                ServerId = ServerId ?? resolved.ServerId,
                WebAppId = WebAppId ?? resolved.WebAppId,
                ProxyCredential = proxyCredential,
                MaxResponseSize = MaxResponseSize,
            };
            RedactSecretsOf(connection);
            WriteVerbose($"RunCloud: credentials from {resolved.Source}; {connection.AuthenticationKind} {connection.KeyId}; API {connection.ApiVersion} at {connection.BaseUri}.");

            if (!SkipValidation)
            {
                // What a script does next with names (Sync-, Add-, Remove-RunCloudDomain) checks them against the shipped
                // public suffix list: it is read on another core while the ping waits on the network.
                PublicSuffixList.Prepare();
                try
                {
                    Run(ct => connection.CreateService(Log).PingAsync(ct));
                    connection.Validated = true;
                }
                catch (RunCloudApiException ex)
                {
                    connection.Dispose();
                    ThrowTerminatingError(ErrorRecords.FromApi(ex, connection.BaseUri));
                }
            }

            if (Name != null)
            {
                // A named connection sits beside the default one; connecting again under the name replaces (and closes) it.
                connection.Name = Name;
                RunCloudConnection? replaced = ConnectionRegistry.Register(Name, connection);
                if (replaced != null && !replaced.HeldByCaller && !ReferenceEquals(replaced, RunCloudSession.Current) && !RunCloudSession.IsDefaultElsewhere(replaced))
                {
                    replaced.Dispose(); // its requests in flight still finish
                    WriteVerbose($"RunCloud: the connection named {Name} was replaced; the old one is closed.");
                }
            }
            else
            {
                RunCloudConnection? replaced = RunCloudSession.Exchange(connection);
                if (replaced != null && !replaced.HeldByCaller && replaced.Name == null && !RunCloudSession.IsDefaultElsewhere(replaced))
                {
                    replaced.Dispose(); // its requests in flight still finish
                    WriteVerbose($"RunCloud: closed the previous connection to {replaced.BaseUri}.");
                }
            }

            if (PassThru)
            {
                connection.HeldByCaller = true;
                WriteObject(connection);
            }
        }

        private static bool UsesBaseUriVersion(string? baseUri) =>
            baseUri != null && (baseUri.TrimEnd('/').EndsWith("/api/v2", StringComparison.OrdinalIgnoreCase)
                                || baseUri.TrimEnd('/').EndsWith("/api/v3", StringComparison.OrdinalIgnoreCase));

        private ResolvedCredential ResolveCredential()
        {
            try
            {
                switch (ParameterSetName)
                {
                    case ApiKeySet:
                        CredentialResolver.ValidateApiKey(ApiKey, "-ApiKey");
                        RequireNonEmpty(ApiSecret!, "-ApiSecret");
                        return new ResolvedCredential(RunCloudCredential.ForApiKey(ApiKey, ApiSecret!), "the -ApiKey and -ApiSecret parameters");
                    case CredentialSet:
                        CredentialResolver.ValidateApiKey(Credential!.UserName, "-Credential's user name");
                        RequireNonEmpty(Credential.Password, "-Credential's password (the API secret)");
                        return new ResolvedCredential(RunCloudCredential.ForApiKey(Credential.UserName, Credential.Password), "the -Credential parameter");
                    case TokenSet:
                        RequireNonEmpty(Token!, "-Token");
                        return new ResolvedCredential(RunCloudCredential.ForToken(Token!), "the -Token parameter");
                    case VaultSet:
                        return SecretVaultReader.Read(this, Vault, SecretName);
                    case WpConfigSet:
                        string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(WpConfigPath);
                        return CredentialResolver.FromWpConfig(path, ServerId.HasValue, WebAppId.HasValue, StoredInDatabase);
                    default:
                        return CredentialResolver.FromEnvironment(Environment.GetEnvironmentVariable);
                }
            }
            catch (CredentialNotFoundException ex)
            {
                ThrowTerminatingError(ErrorRecords.Wrap(ex, ErrorIds.CredentialsNotFound, ErrorCategory.AuthenticationError, ParameterSetName));
                throw;
            }
            catch (InvalidIdException ex)
            {
                ThrowTerminatingError(ErrorRecords.Wrap(new ArgumentException(ex.Message, ex), ErrorIds.InvalidInput, ErrorCategory.InvalidArgument, ex.Variable));
                throw;
            }
            catch (WpConfigException ex)
            {
                ThrowTerminatingError(ErrorRecords.Wrap(ex, ErrorIds.InvalidWpConfig, ErrorCategory.InvalidData, WpConfigPath));
                throw;
            }
            catch (Sources.UltimateMultisite.UmReadException ex)
            {
                ThrowTerminatingError(ErrorRecords.FromUmRead(ex, WpConfigPath));
                throw;
            }
        }

        /// <summary>
        /// The RunCloud constants wp-config.php lacks, from Ultimate Multisite's network options (2.4.11+) in the database
        /// wp-config.php names. Only the ids missing: a database that cannot be read is a warning, as before this lookup.
        /// </summary>
        private System.Collections.Generic.IDictionary<string, StoredCredentialValue> StoredInDatabase(WpConfigFile config, System.Collections.Generic.IReadOnlyList<string> missing)
        {
            var none = new System.Collections.Generic.Dictionary<string, StoredCredentialValue>();
            bool needCredential = missing.Any(n => n == CredentialResolver.WuToken || n == CredentialResolver.WuKey || n == CredentialResolver.WuSecret);
            if (!config.IsDefined("DB_NAME") && !config.IsDefined("DB_USER") && config.Unfollowed.Count == 0)
            {
                WriteVerbose($"RunCloud: {string.Join(", ", missing)} not in {config.Path}, which names no database to look for Ultimate Multisite's stored credentials in.");
                return none;
            }

            try
            {
                var settings = Sources.UltimateMultisite.UmDatabaseSettings.FromWpConfig(config);
                settings.TimeoutSeconds = 30;
                WriteVerbose($"RunCloud: {string.Join(", ", missing)} not in {config.Path}; looking for Ultimate Multisite's wu_hosting_credential_* network options in {settings.Describe()}.");
                return Run(ct => Sources.UltimateMultisite.UmStoredCredentials.ReadAsync(settings, missing, ct));
            }
            catch (Sources.UltimateMultisite.UmReadException ex) when (!needCredential)
            {
                WriteWarning($"{string.Join(" and ", missing)} could not be read from Ultimate Multisite's network options: {ex.Message} Pass -ServerId/-WebAppId, or define the constants in wp-config.php.");
                return none;
            }
        }

        private static void RequireNonEmpty(SecureString value, string name)
        {
            if (value.Length == 0)
            {
                throw new CredentialNotFoundException($"{name} is empty. Pass the value from RunCloud > Settings > API Management.");
            }
        }
    }
}
