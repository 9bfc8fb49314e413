using System;
using System.Net;
using System.Net.Http;
using System.Reflection;
using System.Threading;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Auth;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Session
{
    /// <summary>
    /// An open connection to one RunCloud account: one long-lived HttpClient built from DelegatingHandlers
    /// (retry, rate limit, authentication, logging), the defaults for server and web app, and the rate-limit state.
    /// It never exposes the API secret or token.
    /// </summary>
    public sealed class RunCloudConnection : IRunCloudConnection, IDisposable
    {
        public const string DefaultHost = "https://manage.runcloud.io/";
        private readonly RateLimiter _limiter;
        private readonly RunCloudCredential _credential;
        private long _requestCount;
        private long? _serverId;
        private long? _webAppId;

        internal RunCloudConnection(Uri baseUri, string apiVersion, RunCloudCredential credential, string credentialSource,
            RetryPolicy retry, int rateLimit, TimeSpan rateLimitWindow, IWebProxy? proxy, HttpMessageHandler? transport = null,
            RateLimiter? limiter = null, Clock? clock = null, ApiUsageMeter? usage = null)
        {
            BaseUri = baseUri;
            ApiVersion = apiVersion;
            _credential = credential;
            CredentialSource = credentialSource;
            RetryPolicy = retry;
            // A shared limiter (Session/AccountRateLimiters) brings its own clock; the retry handler paces by the same one.
            _limiter = limiter ?? new RateLimiter(rateLimit, rateLimitWindow, clock);
            Clock = clock ?? _limiter.Clock;
            Usage = usage;
            Proxy = WithoutUserInfo((proxy as WebProxy)?.Address);

            HttpMessageHandler inner = transport ?? CreateTransport(proxy, baseUri);
            var chain = new RetryHandler(retry, _limiter, clock ?? _limiter.Clock)
            {
                InnerHandler = new RateLimitHandler(_limiter, retry.MaxRetryDuration)
                {
                    InnerHandler = new AuthenticationHandler(credential)
                    {
                        InnerHandler = new LoggingHandler(request =>
                        {
                            Interlocked.Increment(ref _requestCount);
                            CallCounter.Count();
                            usage?.Count(request);
                        })
                        {
                            InnerHandler = new ExchangeHandler(retry, () => MaxResponseSize) { InnerHandler = inner },
                        },
                    },
                },
            };
            var http = new HttpClient(chain) { Timeout = Timeout.InfiniteTimeSpan };
            http.DefaultRequestHeaders.UserAgent.ParseAdd("RunCloud.PowerShell/" + ModuleVersion);
            Api = new RunCloudApiClient(http, baseUri) { UsesApiKey = credential.Kind == RunCloudAuthenticationKind.ApiKey, Usage = usage, Clock = Clock };
            ConnectedAt = DateTime.UtcNow;
        }

        /// <summary>The name given with Connect-RunCloud -Name, or null for the default connection.</summary>
        public string? Name { get; internal set; }

        /// <summary>The API root requests are sent to, e.g. https://manage.runcloud.io/api/v3/.</summary>
        public Uri BaseUri { get; }

        /// <summary>v2 or v3.</summary>
        public string ApiVersion { get; }

        public RunCloudAuthenticationKind AuthenticationKind => _credential.Kind;

        /// <summary>The first four characters of the API key or token, to tell connections apart.</summary>
        public string KeyId => _credential.KeyId;

        /// <summary>Where the credentials came from (a parameter, a wp-config.php file, an environment variable); never their value.</summary>
        public string CredentialSource { get; }

        public long? ServerId { get => _serverId; internal set => _serverId = value; }
        public long? WebAppId { get => _webAppId; internal set => _webAppId = value; }

        /// <summary>Client-side limit: requests per <see cref="RateLimitWindow"/>; 0 = off.</summary>
        public int RateLimit => _limiter.Limit;
        public TimeSpan RateLimitWindow => _limiter.Window;

        /// <summary>The last X-RateLimit-Limit RunCloud sent.</summary>
        public int? ServerRateLimit => _limiter.ServerLimit;

        /// <summary>The last X-RateLimit-Remaining RunCloud sent.</summary>
        public int? ServerRateLimitRemaining => _limiter.ServerRemaining;

        /// <summary>
        /// The time of this connection: what its limiter and retries pace by, what its calls are dated by in the usage
        /// ledger, and what a sync through it reads as "now" (the last full reconcile, the next one). Tests inject theirs.
        /// </summary>
        internal Clock Clock { get; }

        /// <summary>The account's call meter (null: calls are not counted, e.g. a connection a test made by hand).</summary>
        internal ApiUsageMeter? Usage { get; }

        /// <summary>The account's API calls a month (Connect-RunCloud -MonthlyQuota); null: no quota rules.</summary>
        public long? MonthlyQuota => Usage?.MonthlyQuota;

        /// <summary>The share of <see cref="MonthlyQuota"/>, in percent, past which syncs stop before sending.</summary>
        public int? QuotaStopPercent => Usage?.MonthlyQuota == null ? (int?)null : (int)System.Math.Round(Usage.StopShare * 100);

        /// <summary>HTTP requests sent on this connection, retries included.</summary>
        public long RequestCount => Interlocked.Read(ref _requestCount);

        public RetryPolicy RetryPolicy { get; }

        /// <summary>The default cap on one answer's body: RunCloud's largest list page is a few kilobytes.</summary>
        public const long DefaultMaxResponseSize = 4L * 1024 * 1024;

        /// <summary>Largest answer body accepted, in bytes (Connect-RunCloud -MaxResponseSize); past it the call fails with RunCloudInvalidResponse.</summary>
        public long MaxResponseSize { get; internal set; } = DefaultMaxResponseSize;
        public Uri? Proxy { get; }
        public DateTime ConnectedAt { get; }

        /// <summary>True once GET ping succeeded with these credentials.</summary>
        public bool Validated { get; internal set; }

        internal RunCloudApiClient Api { get; }

        /// <summary>
        /// The credential identity the first state format keyed per-app state by: hashed by AppStateKey.Fingerprint
        /// only to find state that format left, never stored or shown.
        /// </summary>
        internal string StateIdentity => _credential.IdentityForFingerprint();

        /// <summary>The key of one web app's durable state (journal, lock): the API host + the ids (Commands.StateKeys.For gives the same key).</summary>
        internal State.AppStateKey StateKey(long serverId, long webAppId) =>
            State.AppStateKey.For(BaseUri, serverId, webAppId, State.AppStateKey.Fingerprint(BaseUri, StateIdentity));

        /// <summary>The RunCloud operations over this connection; <paramref name="log"/> receives what they report.</summary>
        internal RunCloudService CreateService(IRunCloudLog? log = null) => new RunCloudService(Api, log, this);

        /// <summary>The limiter this connection paces against: shared with every connection to the same account when opened by Connect-RunCloud.</summary>
        internal RateLimiter Limiter => _limiter;

        /// <summary>
        /// True when Connect-RunCloud -PassThru wrote it: the caller holds it for -Connection, so a later Connect-RunCloud
        /// that replaces it as the default leaves it open (Disconnect-RunCloud -Connection closes it).
        /// </summary>
        internal bool HeldByCaller { get; set; }

        /// <summary>True once closed: by Disconnect-RunCloud, or when a later Connect-RunCloud replaced it.</summary>
        internal bool IsClosed => Api.IsClosed;

        /// <summary>
        /// The proxy's credential, kept as the API secret is (the password as a SecureString), and internal: never a
        /// property that Format-List *, Export-Clixml or ConvertTo-Json would show.
        /// </summary>
        internal NetworkCredential? ProxyCredential { get; set; }

        /// <summary>Every secret value of this connection, in every form it may appear in text: what the module masks.</summary>
        internal string[] SecretsForRedaction()
        {
            var secrets = new System.Collections.Generic.List<string>(_credential.SecretsForRedaction());
            if (ProxyCredential?.SecurePassword is System.Security.SecureString proxyPassword && proxyPassword.Length > 0)
            {
                string password = SecureText.ToPlain(proxyPassword);
                secrets.Add(password);
                secrets.Add(ProxyCredential.UserName + ":" + password);
            }

            return Redactor.Variants(secrets);
        }

        public override string ToString() => (Name != null ? Name + ": " : string.Empty) + $"{BaseUri} ({ApiVersion}, {AuthenticationKind} {KeyId})";

        /// <summary>Closes the connection; a request already in flight (in any runspace) still completes.</summary>
        public void Dispose() => Api.Dispose();

        internal static string ModuleVersion =>
            typeof(RunCloudConnection).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0]
            ?? "0.0.0";

        /// <summary>A proxy address as shown: scheme, host and port, never a user name or password.</summary>
        internal static Uri? WithoutUserInfo(Uri? address)
        {
            if (address == null || string.IsNullOrEmpty(address.UserInfo)) return address;
            return new UriBuilder(address) { UserName = string.Empty, Password = string.Empty }.Uri;
        }

        /// <summary>
        /// The socket-level handler. A loopback -BaseUri (the emulator) bypasses every proxy, the one given with -Proxy and
        /// the one from HTTP_PROXY/HTTPS_PROXY alike: plain http is allowed only because the bytes never leave the machine,
        /// and a proxy would carry the credentials in clear to somewhere else.
        /// </summary>
        private static HttpMessageHandler CreateTransport(IWebProxy? proxy, Uri baseUri)
        {
            OfferTls12();
            var handler = new HttpClientHandler
            {
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
                UseCookies = false,
                AllowAutoRedirect = false,
            };
            if (IsLoopback(baseUri))
            {
                handler.UseProxy = false;
            }
            else if (proxy != null)
            {
                handler.UseProxy = true;
                handler.Proxy = proxy;
            }

            return handler;
        }

        /// <summary>
        /// On .NET Framework (Windows PowerShell 5.1) HttpClient takes its protocols from ServicePointManager, which in
        /// many processes offers TLS 1.0 only; RunCloud wants TLS 1.2. Adds it, keeping what the process set. The
        /// default "SystemDefault" (0, the OS decides) and .NET (which ignores the setting) are left alone.
        /// </summary>
        private static void OfferTls12()
        {
            SecurityProtocolType protocols = ServicePointManager.SecurityProtocol;
            if ((int)protocols != 0 && (protocols & SecurityProtocolType.Tls12) == 0)
            {
                ServicePointManager.SecurityProtocol = protocols | SecurityProtocolType.Tls12;
            }
        }

        /// <summary>
        /// Resolves -BaseUri: a host root gets api/{version}/ appended; a URL that already ends in /api/v2 or /api/v3 sets the version.
        /// Only https is accepted, except on a loopback address (the emulator).
        /// </summary>
        internal static Uri ResolveBaseUri(string? baseUri, ref string? apiVersion)
        {
            string text = string.IsNullOrWhiteSpace(baseUri) ? DefaultHost : baseUri!.Trim();
            if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                throw new ArgumentException($"-BaseUri '{text}' is not an absolute http(s) URL. Pass RunCloud's address, e.g. {DefaultHost}, or the emulator's BaseUri.");
            }

            if (uri.Scheme == Uri.UriSchemeHttp && !IsLoopback(uri))
            {
                throw new ArgumentException($"-BaseUri '{text}' is not HTTPS. RunCloud is only reached over HTTPS (credentials would travel in clear text); plain http is accepted only for a loopback address such as the emulator's.");
            }

            if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
            {
                throw new ArgumentException($"-BaseUri '{text}' has a query or fragment. Pass only the scheme, host and optional /api/vN path.");
            }

            string path = uri.AbsolutePath.TrimEnd('/');
            string? fromPath = null;
            if (path.EndsWith("/api/v2", StringComparison.OrdinalIgnoreCase)) fromPath = "v2";
            else if (path.EndsWith("/api/v3", StringComparison.OrdinalIgnoreCase)) fromPath = "v3";

            if (fromPath != null)
            {
                if (apiVersion != null && !string.Equals(apiVersion, fromPath, StringComparison.OrdinalIgnoreCase))
                {
                    throw new ArgumentException($"-BaseUri '{text}' names API {fromPath} but -ApiVersion is {apiVersion}. Drop one of them.");
                }

                apiVersion = fromPath;
                return new Uri(uri.GetLeftPart(UriPartial.Authority) + path + "/");
            }

            if (path.IndexOf("/api/", StringComparison.OrdinalIgnoreCase) >= 0 || path.EndsWith("/api", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"-BaseUri '{text}' names an API version this module does not know. Use the host (e.g. {DefaultHost}) or end it in /api/v2 or /api/v3.");
            }

            apiVersion = (apiVersion ?? "v3").ToLowerInvariant();
            return new Uri(uri.GetLeftPart(UriPartial.Authority) + path + "/api/" + apiVersion + "/");
        }

        internal static bool IsLoopback(Uri uri)
        {
            if (uri.IsLoopback) return true;
            return IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? address) && IPAddress.IsLoopback(address);
        }
    }
}
