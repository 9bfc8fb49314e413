using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Api
{
    /// <summary>
    /// Typed RunCloud operations shared by the cmdlets and Sync-RunCloudDomain, each the fewest calls the contract allows.
    /// </summary>
    internal sealed class RunCloudService
    {
        private readonly RunCloudApiClient _api;
        private readonly IRunCloudLog? _log;
        private readonly IRunCloudConnection? _owner;

        /// <summary>Where the operations report what they decide.</summary>
        public IRunCloudLog? Log => _log;

        /// <summary>Every object this service returns remembers the connection it came through.</summary>
        private T Bind<T>(T value) where T : IConnectionBound
        {
            value.Connection = _owner;
            return value;
        }

        /// <param name="api">The JSON client of a connection (RunCloudConnection.CreateService passes its own).</param>
        /// <param name="log">Where to report what the operations decide (e.g. a retry after an ambiguous failure); the Commands layer passes its own.</param>
        public RunCloudService(RunCloudApiClient api, IRunCloudLog? log = null, IRunCloudConnection? owner = null)
        {
            _owner = owner;
            _api = api;
            _log = log;
        }

        /// <summary>
        /// Any request (Invoke-RunCloudRequest): <paramref name="path"/> relative to the API root (checked by
        /// <see cref="RequestPath"/>), through the same retry, rate limit and redaction as every other call. A POST, PUT,
        /// PATCH or DELETE is never repeated after an ambiguous failure (it may have been applied). The answer as JSON.
        /// </summary>
        public Task<JToken> InvokeAsync(string method, string path, IDictionary<string, string>? query, object? body, CancellationToken ct)
        {
            string relative = RequestPath.Normalize(path);
            var verb = new HttpMethod(method.ToUpperInvariant());
            return _api.SendAsync(verb, relative, body, ct, query, nonRepeatable: verb != HttpMethod.Get);
        }

        /// <summary>Every page of a listing at <paramref name="path"/> (Invoke-RunCloudRequest -All), through the module's one paging loop.</summary>
        public PageIterator RawPages(string path, IDictionary<string, string>? query) =>
            new PageIterator(_api, RequestPath.Normalize(path), query);

        /// <summary>GET ping: RunCloud's answer message when it accepts the credentials.</summary>
        public async Task<string> PingAsync(CancellationToken ct)
        {
            JToken answer = await _api.GetAsync(ApiPaths.Ping, ct).ConfigureAwait(false);
            return (answer as JObject)?["message"]?.Type == JTokenType.String ? ServerText.Escape((string)answer["message"]!) : "OK";
        }

        /// <summary>The account's servers, page by page from <paramref name="firstPage"/>; <paramref name="search"/> narrows on RunCloud's side.</summary>
        public PageIterator ServerPages(string? search = null, int firstPage = 1) =>
            new PageIterator(_api, ApiPaths.Servers, Search(search), firstPage);

        /// <summary>A server's web apps, page by page.</summary>
        public PageIterator WebAppPages(long s, string? search = null, int firstPage = 1) =>
            new PageIterator(_api, ApiPaths.WebApps(s), Search(search), firstPage);

        /// <summary>A web app's domains, page by page.</summary>
        public PageIterator DomainPages(long s, long w, string? search = null, int firstPage = 1) =>
            new PageIterator(_api, ApiPaths.Domains(s, w), Search(search), firstPage);

        /// <summary>Reads every page of domains (perPage 40). <paramref name="onPage"/> gets (page, totalPages).</summary>
        public async Task<List<RunCloudDomain>> ListDomainsAsync(long s, long w, CancellationToken ct, Action<int, int?>? onPage = null)
        {
            var all = new List<RunCloudDomain>();
            PageIterator pages = DomainPages(s, w);
            IReadOnlyList<JObject>? page;
            while ((page = await pages.NextAsync(ct).ConfigureAwait(false)) != null)
            {
                all.AddRange(page.Select(o => Bind(RunCloudDomain.FromJson(o, s, w))));
                onPage?.Invoke(pages.Page, pages.TotalPages);
            }

            return all;
        }

        /// <summary>Finds one domain by exact name with RunCloud's search (all of its pages), or null.</summary>
        public async Task<RunCloudDomain?> FindDomainAsync(long s, long w, string name, CancellationToken ct)
        {
            PageIterator pages = DomainPages(s, w, name);
            IReadOnlyList<JObject>? page;
            while ((page = await pages.NextAsync(ct).ConfigureAwait(false)) != null)
            {
                foreach (JObject o in page)
                {
                    if (string.Equals(Json.Str(o, "name"), name, StringComparison.OrdinalIgnoreCase)) return Bind(RunCloudDomain.FromJson(o, s, w));
                }
            }

            return null;
        }

        /// <summary>Ids and names for tab completion: at most <paramref name="maxPages"/> pages of servers (or of a server's web apps).</summary>
        public async Task<List<(long Id, string Name)>> ListIdsAsync(long? serverId, int maxPages, CancellationToken ct)
        {
            PageIterator pages = serverId.HasValue ? WebAppPages(serverId.Value) : ServerPages();
            var items = new List<(long Id, string Name)>();
            IReadOnlyList<JObject>? page;
            for (int read = 0; read < maxPages && (page = await pages.NextAsync(ct).ConfigureAwait(false)) != null; read++)
            {
                items.AddRange(page.Select(o => (Json.LongOrNull(o, "id") ?? 0, ServerText.Escape(Json.Str(o, "name")))));
            }

            return items;
        }

        private static IDictionary<string, string>? Search(string? text) =>
            string.IsNullOrEmpty(text) ? null : new Dictionary<string, string> { ["search"] = text! };

        /// <summary>
        /// POST .../domains. "Already taken" is an outcome, not an error. When the POST fails ambiguously (timeout,
        /// reset, 502/503/504, unreadable answer) it is not re-sent blindly: the domain is looked up first, and the POST
        /// is sent once more only if the domain is really not there.
        /// </summary>
        public async Task<AddResult> AddDomainAsync(long s, long w, DomainRequest request, CancellationToken ct, bool lookUpExisting)
        {
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    JToken answer = await _api.SendAsync(HttpMethod.Post, ApiPaths.Domains(s, w), request.ToBody(), ct, nonRepeatable: true).ConfigureAwait(false);
                    JObject? obj = Unwrap(answer);
                    RunCloudDomain? domain = obj != null && obj["id"] != null ? Bind(RunCloudDomain.FromJson(obj, s, w)) : null;
                    return new AddResult(attempt == 1 ? AddOutcome.Added : AddOutcome.Recovered, domain);
                }
                catch (RunCloudApiException ex) when (IsAlreadyTaken(ex))
                {
                    RunCloudDomain? existing = lookUpExisting ? await FindDomainAsync(s, w, request.Name, ct).ConfigureAwait(false) : null;
                    return new AddResult(attempt == 1 ? AddOutcome.AlreadyExists : AddOutcome.Recovered, existing);
                }
                catch (RunCloudApiException ex) when (ex.MayHaveBeenApplied && attempt < 3)
                {
                    _log?.Verbose($"RunCloud: adding {request.Name} failed ambiguously ({ex.Message}); checking whether it was added before trying again.");
                    RunCloudDomain? existing = await FindDomainAsync(s, w, request.Name, ct).ConfigureAwait(false);
                    if (existing != null) return new AddResult(AddOutcome.Recovered, existing);
                }
            }
        }

        public static bool IsAlreadyTaken(RunCloudApiException ex) =>
            ex.StatusCode == 422
            && ((ex.ValidationErrors.TryGetValue("name", out string[]? messages) && messages.Any(m => m.IndexOf("already", StringComparison.OrdinalIgnoreCase) >= 0))
                || (ex.ApiMessage?.IndexOf("already", StringComparison.OrdinalIgnoreCase) ?? -1) >= 0);

        /// <summary>
        /// PATCH .../domains/{d}/meta: a domain's type, redirection and www in place. The body carries all three (the
        /// domain's current values for those not changed), as the contract shows.
        /// </summary>
        public Task SetDomainMetaAsync(RunCloudDomain domain, string type, string redirection, bool www, CancellationToken ct) =>
            _api.SendAsync(new HttpMethod("PATCH"), ApiPaths.DomainMeta(domain.ServerId, domain.WebAppId, domain.Id),
                new Dictionary<string, object> { ["type"] = type, ["redirection"] = redirection, ["www"] = www }, ct);

        /// <summary>DELETE .../domains/{d}. A 404 means it is gone already: reported as false, not as an error.</summary>
        public async Task<bool> RemoveDomainAsync(long s, long w, long d, CancellationToken ct)
        {
            try
            {
                await _api.SendAsync(HttpMethod.Delete, ApiPaths.Domain(s, w, d), null, ct).ConfigureAwait(false);
                return true;
            }
            catch (RunCloudApiException ex) when (ex.StatusCode == 404 && ex.ApiMessage != null && ex.ApiMessage.IndexOf("domain", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return false;
            }
        }

        /// <summary>
        /// GET .../ssl. The contract: "treat a body without id as no SSL, whatever the status". A 404 whose message
        /// speaks of SSL is "no SSL"; any other 404 (unknown server or app) stays an error.
        /// </summary>
        public async Task<RunCloudSsl> GetSslAsync(long s, long w, CancellationToken ct)
        {
            try
            {
                JToken answer = await _api.GetAsync(ApiPaths.Ssl(s, w), ct).ConfigureAwait(false);
                return Bind(RunCloudSsl.FromJson(Unwrap(answer) ?? new JObject(), s, w));
            }
            catch (RunCloudApiException ex) when (ex.StatusCode == 404 && IsNoSslMessage(ex.ApiMessage))
            {
                return Bind(new RunCloudSsl { ServerId = s, WebAppId = w, Installed = false, Message = ex.ApiMessage });
            }
        }

        public async Task<(bool Advanced, bool Auto)> GetSslModeAsync(long s, long w, CancellationToken ct)
        {
            JToken answer = await _api.GetAsync(ApiPaths.SslAdvanced(s, w), ct).ConfigureAwait(false);
            JObject o = Unwrap(answer) ?? new JObject();
            return (Json.Bool(o, "advancedSSL"), Json.Bool(o, "autoSSL"));
        }

        /// <summary>PUT .../ssl/{id}: a certificate issuance, so never re-sent after an ambiguous failure (see SslRedeployer).</summary>
        public Task RedeploySslAsync(long s, long w, long sslId, CancellationToken ct) =>
            _api.SendAsync(HttpMethod.Put, ApiPaths.Ssl(s, w, sslId), null, ct, nonRepeatable: true);

        public async Task<RunCloudSsl> InstallSslAsync(long s, long w, SslInstallRequest request, CancellationToken ct)
        {
            JToken answer = await _api.SendAsync(HttpMethod.Post, ApiPaths.Ssl(s, w), request.ToBody(), ct, nonRepeatable: true).ConfigureAwait(false);
            return Bind(RunCloudSsl.FromJson(Unwrap(answer) ?? new JObject(), s, w));
        }

        /// <summary>PATCH .../ssl/{id}: changes settings (enableHttp, enableHsts) in place, no uninstall.</summary>
        public Task UpdateSslSettingsAsync(long s, long w, long sslId, bool enableHttp, bool enableHsts, CancellationToken ct) =>
            _api.SendAsync(new HttpMethod("PATCH"), ApiPaths.Ssl(s, w, sslId), new Dictionary<string, object?> { ["enableHttp"] = enableHttp, ["enableHsts"] = enableHsts }, ct);

        /// <summary>DELETE .../domains/{d}/ssl/{ssl}: the per-domain certificate (advanced mode), before a reinstall.</summary>
        public Task UninstallDomainSslAsync(RunCloudDomain domain, long sslId, CancellationToken ct) =>
            _api.SendAsync(HttpMethod.Delete, ApiPaths.DomainSsl(domain.ServerId, domain.WebAppId, domain.Id, sslId), null, ct);

        public Task UninstallSslAsync(long s, long w, long sslId, CancellationToken ct) =>
            _api.SendAsync(HttpMethod.Delete, ApiPaths.Ssl(s, w, sslId), null, ct);

        public async Task<RunCloudSsl> GetDomainSslAsync(RunCloudDomain domain, CancellationToken ct)
        {
            RunCloudSsl ssl;
            try
            {
                JToken answer = await _api.GetAsync(ApiPaths.DomainSsl(domain.ServerId, domain.WebAppId, domain.Id), ct).ConfigureAwait(false);
                ssl = RunCloudSsl.FromJson(Unwrap(answer) ?? new JObject(), domain.ServerId, domain.WebAppId);
            }
            catch (RunCloudApiException ex) when (ex.StatusCode == 404 && IsNoSslMessage(ex.ApiMessage))
            {
                ssl = new RunCloudSsl { ServerId = domain.ServerId, WebAppId = domain.WebAppId, Message = ex.ApiMessage };
            }

            ssl.Mode = "Advanced";
            ssl.DomainId = domain.Id;
            ssl.DomainName = domain.Name;
            return Bind(ssl);
        }

        public Task InstallDomainSslAsync(RunCloudDomain domain, SslInstallRequest request, CancellationToken ct) =>
            _api.SendAsync(HttpMethod.Post, ApiPaths.DomainSsl(domain.ServerId, domain.WebAppId, domain.Id), request.ToBody(advanced: true), ct, nonRepeatable: true);

        public Task RedeployDomainSslAsync(RunCloudDomain domain, long sslId, CancellationToken ct) =>
            _api.SendAsync(HttpMethod.Put, ApiPaths.DomainSsl(domain.ServerId, domain.WebAppId, domain.Id, sslId), null, ct, nonRepeatable: true);

        /// <summary>PATCH .../ssl/{id}: settings in place (enableHttp, enableHsts, ssl_protocol_id), no new issuance.</summary>
        public Task PatchSslAsync(long s, long w, long sslId, IDictionary<string, object?> fields, CancellationToken ct) =>
            _api.SendAsync(new HttpMethod("PATCH"), ApiPaths.Ssl(s, w, sslId), fields, ct);

        /// <summary>PATCH .../domains/{d}/ssl/{ssl}: the per-domain form (advanced mode).</summary>
        public Task PatchDomainSslAsync(RunCloudDomain domain, long sslId, IDictionary<string, object?> fields, CancellationToken ct) =>
            _api.SendAsync(new HttpMethod("PATCH"), ApiPaths.DomainSsl(domain.ServerId, domain.WebAppId, domain.Id, sslId), fields, ct);

        /// <summary>POST .../ssl/advanced: basic (one certificate for the app) or advanced (one per domain).</summary>
        public Task SetSslModeAsync(long s, long w, bool advanced, bool autoSsl, CancellationToken ct) =>
            _api.SendAsync(HttpMethod.Post, ApiPaths.SslAdvanced(s, w), new Dictionary<string, object?> { ["advancedSSL"] = advanced, ["autoSSL"] = autoSsl }, ct);

        /// <summary>GET static/ssl/protocols: the valid ssl_protocol_id values (a bare list or {"data": [...]}).</summary>
        public async Task<List<(long Id, string Name)>> GetSslProtocolsAsync(CancellationToken ct)
        {
            JToken answer = await _api.GetAsync("static/ssl/protocols", ct).ConfigureAwait(false);
            JArray list = answer as JArray ?? (answer["data"] as JArray) ?? new JArray();
            return list.OfType<JObject>().Select(o => (Json.Long(o, "id"), Json.Str(o, "name") ?? Json.Str(o, "protocol") ?? string.Empty)).ToList();
        }

        public async Task<RunCloudServer> GetServerAsync(long s, CancellationToken ct) =>
            Bind(RunCloudServer.FromJson(Unwrap(await _api.GetAsync(ApiPaths.Server(s), ct).ConfigureAwait(false)) ?? new JObject()));

        public async Task<RunCloudWebApp> GetWebAppAsync(long s, long w, CancellationToken ct) =>
            Bind(RunCloudWebApp.FromJson(Unwrap(await _api.GetAsync(ApiPaths.WebApp(s, w), ct).ConfigureAwait(false)) ?? new JObject(), s));

        public async Task<RunCloudDomain> GetDomainAsync(long s, long w, long d, CancellationToken ct) =>
            Bind(RunCloudDomain.FromJson(Unwrap(await _api.GetAsync(ApiPaths.Domain(s, w, d), ct).ConfigureAwait(false)) ?? new JObject(), s, w));

        /// <summary>Single resources may come bare or wrapped in {"data": {...}}: accept both.</summary>
        internal static JObject? Unwrap(JToken token) =>
            token is JObject o ? (o["data"] is JObject inner && o["id"] == null ? inner : o) : null;

        private static bool IsNoSslMessage(string? message) =>
            message != null && message.IndexOf("ssl", StringComparison.OrdinalIgnoreCase) >= 0;
    }
}
