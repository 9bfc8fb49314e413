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

        /// <summary>The account's call meter and monthly quota (null: calls are not counted).</summary>
        public ApiUsageMeter? Usage => _api.Usage;

        /// <summary>The connection's clock (see RunCloudApiClient.Clock).</summary>
        public Clock Clock => _api.Clock;

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

        /// <summary>The server and web app ids a request path names (servers/{s}/webapps/{w}/...), when it names them.</summary>
        public static (long? ServerId, long? WebAppId) AppOf(string path)
        {
            ApiPaths.ReadIds(RequestPath.Normalize(path), out long? s, out long? w);
            return (s, w);
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

        /// <summary>Every server of the account (narrowed by RunCloud's search), each read from its JSON.</summary>
        public async Task<List<RunCloudServer>> ListServersAsync(string? search, CancellationToken ct) =>
            (await ServerPages(search).ReadAllAsync(ct).ConfigureAwait(false)).Select(RunCloudServer.FromJson).ToList();

        /// <summary>
        /// A server's web apps (narrowed by RunCloud's search), each read from its JSON; an item that cannot be read comes
        /// back as its id (escaped for display) and the reason, for the caller to report while the rest are written.
        /// </summary>
        public async Task<List<(RunCloudWebApp? App, string? Id, InvalidResponseDataException? Error)>> ListWebAppsAsync(long s, string? search, CancellationToken ct)
        {
            var result = new List<(RunCloudWebApp?, string?, InvalidResponseDataException?)>();
            foreach (JObject o in await WebAppPages(s, search).ReadAllAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    result.Add((RunCloudWebApp.FromJson(o, s), null, null));
                }
                catch (InvalidResponseDataException ex)
                {
                    result.Add((null, ServerText.Escape(o["id"]?.ToString()), ex));
                }
            }

            return result;
        }

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

        /// <summary>
        /// Every domain of the app RunCloud's search returns for <paramref name="text"/> (a substring search on the name:
        /// the caller picks the exact match, never trusting the search alone), every page of the answer read through the
        /// one paging loop, and how many pages that took.
        /// </summary>
        public async Task<(List<RunCloudDomain> Found, int Pages)> SearchDomainsAsync(long s, long w, string text, CancellationToken ct)
        {
            var found = new List<RunCloudDomain>();
            PageIterator pages = DomainPages(s, w, text);
            IReadOnlyList<JObject>? page;
            int read = 0;
            while ((page = await pages.NextAsync(ct).ConfigureAwait(false)) != null)
            {
                read++;
                found.AddRange(page.Select(o => Bind(RunCloudDomain.FromJson(o, s, w))));
            }

            return (found, read);
        }

        /// <summary>
        /// One request: the first page (40) of the app's domains sorted by id, newest first
        /// (GET .../domains?sortColumn=id&amp;sortDirection=desc&amp;page=1&amp;perPage=40), and the total RunCloud announces
        /// (meta.pagination.total; null when the answer has none). The caller checks that the server really sorted.
        /// </summary>
        public async Task<(List<RunCloudDomain> Page, int? Total)> NewestDomainsAsync(long s, long w, CancellationToken ct)
        {
            var query = new Dictionary<string, string> { ["sortColumn"] = "id", ["sortDirection"] = "desc" };
            ApiPage page = await _api.GetPageAsync(ApiPaths.Domains(s, w), 1, RunCloudApiClient.MaxPerPage, ct, query).ConfigureAwait(false);
            return (page.Data.OfType<JObject>().Select(o => Bind(RunCloudDomain.FromJson(o, s, w))).ToList(), page.Total);
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

        /// <summary>
        /// DELETE .../domains/{d}. A 404's wording is not a contract (RunCloud is a Laravel app, whose default is "No query
        /// results for model [...]"), so a 404 is judged by the state: a fresh read of the app's domains (by
        /// <paramref name="name"/> with RunCloud's search when known, else the whole listing). Absent: it is gone already,
        /// reported as false, whatever the message said. Still listed: the 404 was wrong, an error (nothing was removed).
        /// The app itself not found: the original error.
        /// </summary>
        public async Task<bool> RemoveDomainAsync(long s, long w, long d, CancellationToken ct, string? name = null)
        {
            try
            {
                await _api.SendAsync(HttpMethod.Delete, ApiPaths.Domain(s, w, d), null, ct).ConfigureAwait(false);
                return true;
            }
            catch (RunCloudApiException ex) when (ex.StatusCode == 404)
            {
                bool? present = await DomainPresentAsync(s, w, d, name, ct).ConfigureAwait(false);
                if (present == null) throw;
                if (present == true) throw StillThere(ex, $"domain {name ?? d.ToString(CultureInfo.InvariantCulture)} (id {d}) is still listed on web app {w}", "it was not removed");
                _log?.Verbose($"RunCloud: DELETE of domain {d} answered 404 ({ServerText.Escape(ex.ApiMessage)}), and the domain is not listed any more: it was already gone.");
                return false;
            }
        }

        /// <summary>
        /// Whether domain <paramref name="d"/> is on the web app, from a fresh read (RunCloud's search for
        /// <paramref name="name"/>, or the whole listing); null when the web app (or server) itself is not found.
        /// </summary>
        private async Task<bool?> DomainPresentAsync(long s, long w, long d, string? name, CancellationToken ct)
        {
            try
            {
                if (name != null)
                {
                    RunCloudDomain? found = await FindDomainAsync(s, w, name, ct).ConfigureAwait(false);
                    return found != null && found.Id == d;
                }

                List<RunCloudDomain> all = await ListDomainsAsync(s, w, ct).ConfigureAwait(false);
                return all.Any(x => x.Id == d);
            }
            catch (RunCloudApiException ex) when (ex.StatusCode == 404)
            {
                return null;
            }
        }

        /// <summary>A 404 that a fresh read contradicts: the thing is still there. Never treated as done.</summary>
        private static RunCloudApiException StillThere(RunCloudApiException ex, string what, string consequence) =>
            new RunCloudApiException(ErrorIds.UnexpectedResponse, System.Management.Automation.ErrorCategory.InvalidResult,
                $"RunCloud answered 404 Not Found to {ex.Method} {ex.Path}" + (string.IsNullOrWhiteSpace(ex.ApiMessage) ? string.Empty : $" ({ServerText.Escape(ex.ApiMessage)})")
                + $", but a fresh read shows the {what}: {consequence}.",
                "Run the command again; if RunCloud keeps answering 404 for something it still lists, contact RunCloud support with the ids in this message.",
                404, ex.ApiMessage, null, ex.Method, ex.Path, inner: ex, serverId: ex.ServerId, webAppId: ex.WebAppId);

        /// <summary>
        /// GET .../ssl. The contract: "treat a body without id as no SSL, whatever the status". A 404 is judged by the
        /// state, not its wording: a fresh read of the app's SSL mode (GET .../ssl/advanced) answers for an app that exists,
        /// so the 404 means "no certificate"; when that read is a 404 too, the app (or server) is not there and the
        /// original error stands. The mode read is kept for the caller's next <see cref="GetSslModeAsync"/> (no second GET).
        /// </summary>
        public async Task<RunCloudSsl> GetSslAsync(long s, long w, CancellationToken ct)
        {
            try
            {
                JToken answer = await _api.GetAsync(ApiPaths.Ssl(s, w), ct).ConfigureAwait(false);
                return Bind(RunCloudSsl.FromJson(Unwrap(answer) ?? new JObject(), s, w));
            }
            catch (RunCloudApiException ex) when (ex.StatusCode == 404)
            {
                (bool Advanced, bool Auto) mode;
                try
                {
                    mode = await ReadSslModeAsync(s, w, ct).ConfigureAwait(false);
                }
                catch (RunCloudApiException again) when (again.StatusCode == 404)
                {
                    throw ex;
                }

                lock (_modeReads) _modeReads[ApiUsageMeter.AppKey(s, w)] = new ModeRead(mode, _sinceStart.Elapsed);
                return Bind(new RunCloudSsl { ServerId = s, WebAppId = w, Installed = false, Message = ex.ApiMessage, AutoSsl = mode.Auto });
            }
        }

        // A mode read made to judge a 404 of GET .../ssl, handed to the next GetSslModeAsync of the same app within a few
        // seconds (callers read the mode right after finding no certificate), so judging by state costs no extra call.
        // Keyed by text, valued by a class: every connection makes a service, and a dictionary of tuples would have the JIT
        // compile its constructor in the first connect of every scheduled run.
        private readonly Dictionary<string, ModeRead> _modeReads = new Dictionary<string, ModeRead>(StringComparer.Ordinal);
        private readonly System.Diagnostics.Stopwatch _sinceStart = System.Diagnostics.Stopwatch.StartNew();

        private sealed class ModeRead
        {
            public ModeRead((bool Advanced, bool Auto) mode, TimeSpan at)
            {
                Mode = mode;
                At = at;
            }

            public (bool Advanced, bool Auto) Mode { get; }

            public TimeSpan At { get; }
        }
        private static readonly TimeSpan ModeReadReuse = TimeSpan.FromSeconds(10);

        public async Task<(bool Advanced, bool Auto)> GetSslModeAsync(long s, long w, CancellationToken ct)
        {
            lock (_modeReads)
            {
                if (_modeReads.TryGetValue(ApiUsageMeter.AppKey(s, w), out ModeRead? known))
                {
                    _modeReads.Remove(ApiUsageMeter.AppKey(s, w));
                    if (_sinceStart.Elapsed - known.At <= ModeReadReuse) return known.Mode;
                }
            }

            return await ReadSslModeAsync(s, w, ct).ConfigureAwait(false);
        }

        private async Task<(bool Advanced, bool Auto)> ReadSslModeAsync(long s, long w, CancellationToken ct)
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

        /// <summary>
        /// DELETE .../domains/{d}/ssl/{ssl}: the per-domain certificate (advanced mode). True when removed; false when it
        /// was gone already. A 404 is judged by a fresh read (the domain, then its certificate): the domain gone or the
        /// certificate not there (or another one now) is "gone already", whatever the message; that certificate still
        /// installed is an error.
        /// </summary>
        public async Task<bool> UninstallDomainSslAsync(RunCloudDomain domain, long sslId, CancellationToken ct)
        {
            try
            {
                await _api.SendAsync(HttpMethod.Delete, ApiPaths.DomainSsl(domain.ServerId, domain.WebAppId, domain.Id, sslId), null, ct).ConfigureAwait(false);
                return true;
            }
            catch (RunCloudApiException ex) when (ex.StatusCode == 404)
            {
                bool? present = await DomainPresentAsync(domain.ServerId, domain.WebAppId, domain.Id, domain.Name.Length > 0 ? domain.Name : null, ct).ConfigureAwait(false);
                if (present == null) throw;
                if (present == true)
                {
                    RunCloudSsl now = await GetDomainSslAsync(domain, ct).ConfigureAwait(false);
                    if (now.Installed && now.Id == sslId) throw StillThere(ex, $"certificate {sslId} of {domain.Name} is still installed", "it was not removed");
                }

                _log?.Verbose($"RunCloud: DELETE of certificate {sslId} of {domain.Name} answered 404, and a fresh read shows it is not installed: it was already gone.");
                return false;
            }
        }

        /// <summary>
        /// DELETE .../ssl/{ssl}: the app's certificate. True when removed; false when it was gone already (a 404 judged by a
        /// fresh GET .../ssl: not installed, or another certificate now); that certificate still installed is an error.
        /// </summary>
        public async Task<bool> UninstallSslAsync(long s, long w, long sslId, CancellationToken ct)
        {
            try
            {
                await _api.SendAsync(HttpMethod.Delete, ApiPaths.Ssl(s, w, sslId), null, ct).ConfigureAwait(false);
                return true;
            }
            catch (RunCloudApiException ex) when (ex.StatusCode == 404)
            {
                RunCloudSsl now = await GetSslAsync(s, w, ct).ConfigureAwait(false);
                if (now.Installed && now.Id == sslId) throw StillThere(ex, $"certificate {sslId} of web app {w} is still installed", "it was not removed");
                _log?.Verbose($"RunCloud: DELETE of certificate {sslId} of web app {w} answered 404, and a fresh read shows it is not installed: it was already gone.");
                return false;
            }
        }

        /// <summary>
        /// GET .../domains/{d}/ssl. A 404 is judged by a fresh read of the domain: the domain is there, so it has no
        /// certificate (whatever the message); the domain is not there, the original error stands. For a domain the
        /// caller has just seen created (<paramref name="domainKnown"/>: the POST's own answer), the state is known: the
        /// 404 means no certificate, without a second call.
        /// </summary>
        public async Task<RunCloudSsl> GetDomainSslAsync(RunCloudDomain domain, CancellationToken ct, bool domainKnown = false)
        {
            RunCloudSsl ssl;
            try
            {
                JToken answer = await _api.GetAsync(ApiPaths.DomainSsl(domain.ServerId, domain.WebAppId, domain.Id), ct).ConfigureAwait(false);
                ssl = RunCloudSsl.FromJson(Unwrap(answer) ?? new JObject(), domain.ServerId, domain.WebAppId);
            }
            catch (RunCloudApiException ex) when (ex.StatusCode == 404)
            {
                if (!domainKnown)
                {
                    try
                    {
                        await _api.GetAsync(ApiPaths.Domain(domain.ServerId, domain.WebAppId, domain.Id), ct).ConfigureAwait(false);
                    }
                    catch (RunCloudApiException again) when (again.StatusCode == 404)
                    {
                        throw ex;
                    }
                }

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

        /// <summary>POST .../ssl/advanced: basic (one certificate for the app) or advanced (one per domain).</summary>
        public Task SetSslModeAsync(long s, long w, bool advanced, bool autoSsl, CancellationToken ct)
        {
            lock (_modeReads) _modeReads.Remove(ApiUsageMeter.AppKey(s, w));
            return _api.SendAsync(HttpMethod.Post, ApiPaths.SslAdvanced(s, w), new JObject { ["advancedSSL"] = advanced, ["autoSSL"] = autoSsl }, ct);
        }

        /// <summary>
        /// GET static/ssl/protocols: the valid ssl_protocol_id values (a bare list or {"data": [...]}). RunCloud's v3
        /// reference sends webServer=nginx ("since v2 it only supports nginx") as a JSON body on this GET; it goes in the
        /// query string here, which RunCloud (a Laravel app: input() merges the query and the body) reads the same way,
        /// and which every HTTP stack sends (.NET Framework's refuses a body on a GET).
        /// </summary>
        public async Task<List<(long Id, string Name)>> GetSslProtocolsAsync(CancellationToken ct)
        {
            JToken answer = await _api.GetAsync(ApiPaths.SslProtocols, ct, new Dictionary<string, string> { ["webServer"] = "nginx" }).ConfigureAwait(false);
            JArray list = answer as JArray ?? (answer["data"] as JArray) ?? new JArray();
            return list.OfType<JObject>().Select(o => (Json.Long(o, "id"), ServerText.Escape(Json.Str(o, "name") ?? Json.Str(o, "protocol") ?? string.Empty))).ToList();
        }

        /// <summary>The account's DNS integrations (settings/externalapi), page by page; <paramref name="search"/> narrows on RunCloud's side.</summary>
        public PageIterator DnsIntegrationPages(string? search = null, int firstPage = 1) =>
            new PageIterator(_api, ApiPaths.ExternalApis, Search(search), firstPage);

        /// <summary>Every DNS integration of the account (all pages). Their secrets are never read into the objects.</summary>
        public async Task<List<RunCloudDnsIntegration>> ListDnsIntegrationsAsync(CancellationToken ct, string? search = null)
        {
            var all = new List<RunCloudDnsIntegration>();
            PageIterator pages = DnsIntegrationPages(search);
            IReadOnlyList<JObject>? page;
            while ((page = await pages.NextAsync(ct).ConfigureAwait(false)) != null)
            {
                all.AddRange(page.Select(o => Bind(RunCloudDnsIntegration.FromJson(o))));
            }

            return all;
        }

        /// <summary>
        /// GET settings/externalapi/{id}; null when it does not exist. A 404 is judged by the listing, not its wording: still
        /// listed is an error.
        /// </summary>
        public async Task<RunCloudDnsIntegration?> GetDnsIntegrationAsync(long id, CancellationToken ct)
        {
            try
            {
                JToken answer = await _api.GetAsync(ApiPaths.ExternalApi(id), ct).ConfigureAwait(false);
                return Bind(RunCloudDnsIntegration.FromJson(Unwrap(answer) ?? new JObject()));
            }
            catch (RunCloudApiException ex) when (ex.StatusCode == 404)
            {
                List<RunCloudDnsIntegration> all = await ListDnsIntegrationsAsync(ct).ConfigureAwait(false);
                if (all.Any(i => i.Id == id)) throw StillThere(ex, $"DNS integration {id} is still listed", "it could not be read");
                return null;
            }
        }

        /// <summary>
        /// The DNS integration an operator named for -ExternalApi: its id (digits) or its label (case-insensitive, exact).
        /// Not found or ambiguous is an error that lists the account's integrations.
        /// </summary>
        public async Task<RunCloudDnsIntegration> ResolveDnsIntegrationAsync(string reference, CancellationToken ct)
        {
            string text = reference.Trim();
            List<RunCloudDnsIntegration>? all = null;
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long id) && id > 0)
            {
                RunCloudDnsIntegration? byId = await GetDnsIntegrationAsync(id, ct).ConfigureAwait(false);
                if (byId != null) return byId;
            }
            else
            {
                all = await ListDnsIntegrationsAsync(ct).ConfigureAwait(false);
                List<RunCloudDnsIntegration> byLabel = all.Where(i => string.Equals(i.Label, text, StringComparison.OrdinalIgnoreCase)).ToList();
                if (byLabel.Count == 1) return byLabel[0];
                if (byLabel.Count > 1)
                {
                    throw new RunCloudApiException(ErrorIds.DnsIntegrationAmbiguous, System.Management.Automation.ErrorCategory.InvalidArgument,
                        $"{byLabel.Count} DNS integrations of this account are labelled '{ServerText.Escape(text)}' (ids {string.Join(", ", byLabel.Select(i => i.Id))}); nothing was sent. Pass the id instead.",
                        "Get-RunCloudDnsIntegration lists the account's DNS integrations with their ids.", method: "GET", path: ApiPaths.ExternalApis);
                }
            }

            all ??= await ListDnsIntegrationsAsync(ct).ConfigureAwait(false);
            string known = all.Count == 0
                ? "The account has none: add one in RunCloud (Settings > 3rd-party API keys, e.g. Cloudflare) first."
                : "The account has: " + string.Join(", ", all.Take(10).Select(i => $"{i.Label} ({i.Id}, {i.Service})")) + (all.Count > 10 ? $" and {all.Count - 10} more" : string.Empty) + ".";
            throw new RunCloudApiException(ErrorIds.DnsIntegrationNotFound, System.Management.Automation.ErrorCategory.ObjectNotFound,
                $"No DNS integration of this account has the id or label '{ServerText.Escape(text)}'; nothing was sent. {known}",
                "Get-RunCloudDnsIntegration lists the account's DNS integrations; -ExternalApi takes an id or a label (Tab completes them).",
                method: "GET", path: ApiPaths.ExternalApis);
        }

        /// <summary>
        /// RunCloud's DNS instructions for a domain (GET .../domains/{d}/dns): the records its names need to reach the
        /// server. No public source shows the answer's shape: a {"records": [...]} or {"data": [...]} object or a bare list
        /// is read, each record's type, name (or host) and content (or value), and ttl when given.
        /// </summary>
        public async Task<List<RunCloudDnsRecord>> GetDomainDnsAsync(RunCloudDomain domain, CancellationToken ct)
        {
            JToken answer = await _api.GetAsync(ApiPaths.DomainDns(domain.ServerId, domain.WebAppId, domain.Id), ct).ConfigureAwait(false);
            JArray list = answer as JArray ?? (answer["records"] as JArray) ?? (answer["data"] as JArray)
                ?? ((answer["data"] as JObject)?["records"] as JArray) ?? new JArray();
            string domainName = (answer as JObject)?["domain"]?.Type == JTokenType.String ? ServerText.Escape((string?)answer["domain"]) : domain.Name;
            return list.OfType<JObject>().Select(o => new RunCloudDnsRecord
            {
                ServerId = domain.ServerId,
                WebAppId = domain.WebAppId,
                DomainId = domain.Id,
                Domain = domainName,
                Type = ServerText.Escape(Json.Str(o, "type") ?? string.Empty).ToUpperInvariant(),
                Name = ServerText.Escape(Json.Str(o, "name") ?? Json.Str(o, "host") ?? string.Empty),
                Content = ServerText.Escape(Json.Str(o, "content") ?? Json.Str(o, "value") ?? Json.Str(o, "data") ?? string.Empty),
                Ttl = Json.IntOrNull(o["ttl"], "ttl"),
            }).ToList();
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

    }
}
