using System;
using System.Collections.Generic;

namespace RunCloud.Emulator
{
    /// <summary>The words of a 404 for an id that names nothing (EmulatorOptions.NotFoundWording).</summary>
    public enum NotFoundWording
    {
        /// <summary>Laravel's defaults: "No query results for model [App\Models\Domain] 3005"; an unknown path "The route ... could not be found."</summary>
        Laravel,
        /// <summary>"Not Found." for everything.</summary>
        Plain,
        /// <summary>"Domain not found.", "Server not found.", "SSL not found."... (the emulator's wording before it followed Laravel).</summary>
        Descriptive,
    }

    /// <summary>What POST .../ssl/advanced does to the certificates of the mode it leaves (EmulatorOptions.SslModeSwitch).</summary>
    public enum SslModeSwitch
    {
        /// <summary>Refused (422) while the app has a certificate in the mode it leaves: uninstall it first. The default: it never loses a certificate silently.</summary>
        RequireUninstall,
        /// <summary>Switches at once; the certificates of the mode left are uninstalled by the switch.</summary>
        InPlace,
    }

    /// <summary>What a second POST .../domains/{d}/ssl does when the domain already has a certificate (EmulatorOptions.PerDomainReinstall).</summary>
    public enum PerDomainReinstall
    {
        /// <summary>422 "SSL is already installed on this domain." The default: a client must redeploy (PUT) or uninstall first.</summary>
        Refuse,
        /// <summary>A new order replaces the domain's certificate (a new id).</summary>
        Reissue,
    }

    /// <summary>Settings of one emulator instance. Every item the contract marks unverified is a setting here.</summary>
    public sealed class EmulatorOptions
    {
        /// <summary>TCP port on 127.0.0.1; 0 picks a free port.</summary>
        public int Port { get; set; }

        /// <summary>Seed state from this JSON file when it exists (format: example-state.json); Save() writes back to it.</summary>
        public string? StatePath { get; set; }

        /// <summary>Requests allowed per credential per window; 0 turns rate limiting (and its headers) off.</summary>
        public int RateLimitPerWindow { get; set; } = 60;

        /// <summary>Length of the fixed rate-limit window.</summary>
        public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromMinutes(1);

        /// <summary>RunCloud documents no Retry-After header (unverified): send one on 429 unless this is false.</summary>
        public bool SendRetryAfter { get; set; } = true;

        /// <summary>Maximum number of domains per web app (plan limit); 0 = unlimited. Over it, adding a domain answers 403.</summary>
        public int DomainLimit { get; set; }

        public string ApiKey { get; set; } = EmulatorDefaults.ApiKey;
        public string ApiSecret { get; set; } = EmulatorDefaults.ApiSecret;
        public string Token { get; set; } = EmulatorDefaults.Token;

        /// <summary>
        /// More valid Bearer tokens, each its own account for the rate limit, the request log (Account "token2", "token3"...)
        /// and credential-scoped faults (FaultRule.Credential): lets a test prove one account's 429 does not stop another.
        /// </summary>
        public List<string> AdditionalTokens { get; } = new List<string>();

        /// <summary>Seed the default servers, web apps, domains and SSL (see EmulatorDefaults). Ignored when StatePath exists.</summary>
        public bool SeedDefaultData { get; set; } = true;

        /// <summary>
        /// Status of GET .../ssl (and .../domains/{d}/ssl) when no certificate is installed. The body is always
        /// {"message":"SSL not installed!"}; the status RunCloud uses is unverified. Default 404 (the strictest choice:
        /// a client that only handles 200 fails loudly); set 200 to emulate a "200 with only a message" answer.
        /// </summary>
        public int NoSslStatusCode { get; set; } = 404;

        /// <summary>Default perPage on /api/v2/ (15 observed by a public client).</summary>
        public int DefaultPerPageV2 { get; set; } = 15;

        /// <summary>Default perPage on /api/v3/ (20 per RunCloud's v3 docs).</summary>
        public int DefaultPerPageV3 { get; set; } = 20;

        /// <summary>Documented maximum perPage; a bigger value is clamped to it (not rejected).</summary>
        public int MaxPerPage { get; set; } = 40;

        /// <summary>
        /// The documented example of links.next is ".../domains?page=2": only the page is carried, not perPage or search.
        /// Set true to carry the other query parameters into links too.
        /// </summary>
        public bool LinksKeepQuery { get; set; }

        /// <summary>
        /// Plays a server that ignores sortColumn and sortDirection (RunCloud documents them, but how it applies them is not
        /// verified): lists come in their default order, oldest first. Changeable while the emulator runs.
        /// </summary>
        public bool IgnoreSort { get; set; }

        /// <summary>The emulated clock (certificate dates, Let's Encrypt windows); null = real time, movable with RunCloudEmulator.Clock.</summary>
        public EmulatorClock? Clock { get; set; }

        /// <summary>Let's Encrypt's limit of names per certificate (100, www. variants included); 0 = no limit.</summary>
        public int MaxNamesPerCertificate { get; set; } = 100;

        /// <summary>Let's Encrypt's duplicate-certificate limit (5 for the exact same names per 7 days); 0 = no limit.</summary>
        public int DuplicateCertificateLimit { get; set; } = 5;

        /// <summary>Let's Encrypt's new-orders limit (300 per account per 3 hours, failed orders included); 0 = no limit.</summary>
        public int NewOrdersLimit { get; set; } = 300;

        /// <summary>Let's Encrypt's failed-validation limit (5 failures per host name per hour); 0 = no limit.</summary>
        public int FailedValidationLimit { get; set; } = 5;

        /// <summary>
        /// Serve TLS for the emulator's domains on 127.0.0.1 at this port (0 = a free port) with certificates that follow
        /// the SSL state, issued by a test CA generated in memory; null (the default) = no TLS endpoint.
        /// </summary>
        public int? TlsPort { get; set; }

        /// <summary>
        /// Answer DNS (UDP, RFC 1035) from the emulator's DNS table on 127.0.0.1 at this port (0 = a free port), so a client's
        /// resolver can be pointed at it; null (the default) = no DNS responder.
        /// </summary>
        public int? DnsPort { get; set; }

        /// <summary>The words of a 404 for an id that names nothing: Laravel's default (the default), Plain or Descriptive.</summary>
        public NotFoundWording NotFoundWording { get; set; } = NotFoundWording.Laravel;

        /// <summary>Switching SSL mode with a certificate installed: RequireUninstall (default, 422) or InPlace.</summary>
        public SslModeSwitch SslModeSwitch { get; set; } = SslModeSwitch.RequireUninstall;

        /// <summary>A second per-domain install: Refuse (default, 422) or Reissue.</summary>
        public PerDomainReinstall PerDomainReinstall { get; set; } = PerDomainReinstall.Refuse;

        /// <summary>GET static/ssl/protocols needs webServer=nginx, as RunCloud's v3 reference sends it (default true); false answers without it.</summary>
        public bool ProtocolsRequireWebServer { get; set; } = true;

        /// <summary>Let's Encrypt's certificates per registered domain (50 per 7 days; renewals of the same names exempt); 0 = no limit.</summary>
        public int CertificatesPerDomainLimit { get; set; } = 50;

        /// <summary>Fault rules active from the start.</summary>
        public IList<FaultRule> Faults { get; } = new List<FaultRule>();
    }
}
