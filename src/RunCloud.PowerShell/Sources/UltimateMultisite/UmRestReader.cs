using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using RunCloud.PowerShell.Auth;

namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>
    /// Reads a UM network through UM's REST API, for a sync on another machine: GET /wp-json/wu/v2/domain and
    /// /wp-json/wu/v2/site with HTTP Basic (UM's API key and secret). Both paging styles: from 2.4.13, page/per_page
    /// (100 at most) with X-WP-Total and X-WP-TotalPages, detected from the first answer's headers; up to 2.4.12,
    /// number/offset (100 a request) until a short page. Every page is checked (the total, repeated rows, a page that does
    /// not move on): a list cut short is an error, never a smaller desired set. https only, except on a loopback address.
    /// The REST API does not tell the networks, UM's www setting or SUBDOMAIN_INSTALL: the networks are the sites'
    /// site_id with their first site's domain as main domain, and the www policy is the one passed in (Always by default),
    /// both said in the snapshot's warnings.
    /// </summary>
    internal sealed class UmRestReader : IUmMappingReader, IDisposable
    {
        public const int PageSize = 100;
        public const int MaxPages = 5000;

        private readonly Uri _root;
        private readonly HttpClient _http;
        private readonly AuthenticationHeaderValue _auth;
        private readonly UmWwwPolicy? _wwwPolicy;

        /// <param name="baseUri">The network's address (https://network.tld) or its /wp-json/ root.</param>
        /// <param name="handler">The transport (tests pass their own); null for the default.</param>
        public UmRestReader(Uri baseUri, string apiKey, SecureString apiSecret, UmWwwPolicy? wwwPolicy, TimeSpan timeout, HttpMessageHandler? handler = null)
        {
            if (baseUri == null) throw new ArgumentNullException(nameof(baseUri));
            if (!baseUri.IsAbsoluteUri || (baseUri.Scheme != Uri.UriSchemeHttps && baseUri.Scheme != Uri.UriSchemeHttp))
            {
                throw new UmReadException(UmReadFailure.Configuration, baseUri.OriginalString, $"-UltimateMultisiteUri '{baseUri.OriginalString}' is not an http(s) address. Pass the network's address, e.g. https://network.example.com.");
            }

            if (baseUri.Scheme == Uri.UriSchemeHttp && !IsLoopback(baseUri))
            {
                throw new UmReadException(UmReadFailure.Configuration, baseUri.OriginalString,
                    $"-UltimateMultisiteUri '{baseUri.GetLeftPart(UriPartial.Authority)}' is plain http: UM's API key and secret would cross the network readable by anyone on the way. Use https (plain http is accepted only on a loopback address).");
            }

            if (string.IsNullOrWhiteSpace(apiKey) || apiKey.IndexOf(':') >= 0 || apiSecret == null || apiSecret.Length == 0)
            {
                throw new UmReadException(UmReadFailure.Configuration, "-Credential",
                    "-Credential must hold UM's API key as the user name and its API secret as the password (Network Admin > Ultimate Multisite > Settings > API & Webhooks); the key must not contain ':'.");
            }

            string path = baseUri.AbsolutePath.TrimEnd('/');
            if (!path.EndsWith("/wp-json", StringComparison.OrdinalIgnoreCase)) path += "/wp-json";
            _root = new UriBuilder(baseUri.Scheme, baseUri.Host, baseUri.Port, path + "/") { Query = string.Empty }.Uri;
            _auth = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(apiKey + ":" + SecureText.ToPlain(apiSecret))));
            _wwwPolicy = wwwPolicy;
            _http = handler != null ? new HttpClient(handler, disposeHandler: false) : new HttpClient();
            _http.Timeout = timeout;
        }

        public RunCloudMappingSource Source => RunCloudMappingSource.Rest;

        public string Origin => "UM's REST API at " + _root.GetLeftPart(UriPartial.Path);

        public void Dispose() => _http.Dispose();

        public async Task<UmNetworkSnapshot> ReadAsync(CancellationToken cancellationToken)
        {
            var snapshot = new UmNetworkSnapshot { Source = RunCloudMappingSource.Rest, Origin = Origin, HasMappingTable = true };
            List<JObject> sites = await ListAsync("wu/v2/site", "blog_id", cancellationToken).ConfigureAwait(false);
            var missing = new HashSet<string>(StringComparer.Ordinal);
            foreach (JObject s in sites) snapshot.Blogs.Add(UmJsonRows.Blog(s, "GET wu/v2/site (" + Origin + ")", f => missing.Add(f)));
            if (missing.Count > 0)
            {
                snapshot.Warnings.Add($"UM's REST API listed sites without {string.Join(", ", missing.OrderBy(m => m, StringComparer.Ordinal))}: such sites are taken as live. Read the database (-Via Database) for a certain answer.");
            }

            // The networks, from the sites: each site_id with its first site's host as main domain.
            foreach (var group in snapshot.Blogs.GroupBy(b => b.NetworkId).OrderBy(g => g.Key))
            {
                UmBlog first = group.OrderBy(b => b.BlogId).First();
                snapshot.Networks.Add(new UmNetwork { Id = group.Key, Domain = first.Domain, Path = "/", WwwPolicy = _wwwPolicy ?? UmWwwPolicy.Always, HasUmSettings = _wwwPolicy != null });
            }

            if (snapshot.Networks.Count == 0) throw new UmReadException(UmReadFailure.UnreadableData, Origin, $"{Origin} listed no site: check -UltimateMultisiteUri (the network's main address).");
            snapshot.MainNetworkId = snapshot.Networks.Min(n => n.Id);
            UmNetwork main = snapshot.Networks.First(n => n.Id == snapshot.MainNetworkId);
            main.MappingTable = "wu_domain_mappings";
            snapshot.SubdomainInstall = snapshot.Blogs.Any(b => b.NetworkId == main.Id && b.Domain != main.Domain && b.Domain.EndsWith("." + main.Domain, StringComparison.Ordinal));
            snapshot.Warnings.Add(_wwwPolicy == null
                ? "UM's REST API does not tell auto_create_www_subdomain: taken as 'always' (UM's default); pass -WwwPolicy if the network uses main_only or never."
                : $"UM's REST API does not tell auto_create_www_subdomain: using -WwwPolicy {_wwwPolicy}.");

            var blogs = snapshot.Blogs.GroupBy(b => b.BlogId).ToDictionary(g => g.Key, g => g.First());
            foreach (JObject o in await ListAsync("wu/v2/domain", "id", cancellationToken).ConfigureAwait(false))
            {
                RunCloudMappedDomain row = UmJsonRows.Mapping(o, "wu_domain_mappings", RunCloudMappingSource.Rest, "GET wu/v2/domain (" + Origin + ")");
                blogs.TryGetValue(row.BlogId, out UmBlog? blog);
                row.NetworkId = blog?.NetworkId ?? snapshot.MainNetworkId;
                row.SiteHost = blog?.SiteHost;
                snapshot.Mappings.Add(row);
            }

            return snapshot;
        }

        /// <summary>Every item of a UM list endpoint, whichever paging style the server speaks.</summary>
        internal async Task<List<JObject>> ListAsync(string resource, string idField, CancellationToken cancellationToken)
        {
            var items = new List<JObject>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            (JArray first, HttpResponseMessage firstAnswer) = await GetPageAsync(resource, "page=1&per_page=" + PageSize.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            long? total = Header(firstAnswer, "X-WP-Total");
            long? totalPages = Header(firstAnswer, "X-WP-TotalPages");
            firstAnswer.Dispose();
            Add(first, 1);
            if (total != null && totalPages != null)
            {
                // 2.4.13+: page/per_page with the totals in headers.
                if (totalPages > MaxPages) throw Truncated(resource, $"it reports {totalPages} pages, over the {MaxPages} this module reads");
                for (int page = 2; page <= totalPages; page++)
                {
                    (JArray next, HttpResponseMessage answer) = await GetPageAsync(resource, $"page={page}&per_page={PageSize}", cancellationToken).ConfigureAwait(false);
                    long? nowTotal = Header(answer, "X-WP-Total");
                    answer.Dispose();
                    if (nowTotal != null && nowTotal != total) throw Truncated(resource, $"its total changed from {total} to {nowTotal} while it was read (rows added or deleted meanwhile); try again");
                    if (next.Count == 0) throw Truncated(resource, $"page {page} of {totalPages} came back empty");
                    Add(next, page);
                }

                if (items.Count != total) throw Truncated(resource, $"it reported {total} items (X-WP-Total) and {items.Count} arrived");
                return items;
            }

            // Up to 2.4.12: number/offset (the page/per_page of the first request were ignored; it answered `number`, 100 by
            // default). No total is sent, so each next page starts one item back: its first item must be the previous page's
            // last, or rows were added or deleted in front of the offset meanwhile and a row may have been skipped.
            if (first.Count > PageSize) throw Truncated(resource, $"it answered {first.Count} items to a request for {PageSize}");
            int requests = 1;
            bool full = first.Count == PageSize;
            while (full)
            {
                if (++requests > MaxPages) throw Truncated(resource, $"it kept answering full pages past {MaxPages} requests");
                string lastId = IdOf(items[items.Count - 1]);
                int offset = items.Count - 1;
                (JArray next, HttpResponseMessage answer) = await GetPageAsync(resource, $"number={PageSize}&offset={offset}", cancellationToken).ConfigureAwait(false);
                answer.Dispose();
                if (next.Count > PageSize) throw Truncated(resource, $"it answered {next.Count} items to a request for {PageSize}");
                if (next.Count == 0 || !(next[0] is JObject overlap) || IdOf(overlap) != lastId)
                {
                    throw Truncated(resource, $"the page at offset {offset} does not start with item {lastId}, the last of the page before: items were added or deleted while the list was read, or the server ignores the offset; try again");
                }

                full = next.Count == PageSize;
                next.RemoveAt(0);
                Add(next, requests);
            }

            return items;

            string IdOf(JObject o) => (o[idField] ?? o["id"])?.ToString(Formatting.None).Trim('"') ?? string.Empty;

            void Add(JArray page, int number)
            {
                foreach (JToken t in page)
                {
                    if (!(t is JObject o)) throw new UmReadException(UmReadFailure.UnreadableData, resource, $"GET {resource} ({Origin}) page {number} holds an item that is not an object.");
                    string id = IdOf(o);
                    if (id.Length == 0) throw new UmReadException(UmReadFailure.UnreadableData, resource, $"GET {resource} ({Origin}) page {number} holds an item without {idField}.");
                    if (!seen.Add(id)) throw Truncated(resource, $"item {id} came twice (rows moved between pages while they were read); try again");
                    items.Add(o);
                }
            }
        }

        private async Task<(JArray, HttpResponseMessage)> GetPageAsync(string resource, string query, CancellationToken cancellationToken)
        {
            var uri = new Uri(_root, resource + "?" + query);
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Authorization = _auth;
            request.Headers.Accept.ParseAdd("application/json");
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                throw new UmReadException(UmReadFailure.Connection, uri.GetLeftPart(UriPartial.Path), $"Cannot reach {Origin}: {ex.Message} Check -UltimateMultisiteUri and that this machine may reach the network over https.", ex);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new UmReadException(UmReadFailure.Timeout, uri.GetLeftPart(UriPartial.Path), $"GET {resource} ({Origin}) did not answer within {_http.Timeout.TotalSeconds:0} s.", ex);
            }

            string body = response.Content == null ? string.Empty : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Unauthorized || response.StatusCode == HttpStatusCode.Forbidden)
            {
                response.Dispose();
                throw new UmReadException(UmReadFailure.Authentication, resource,
                    $"{Origin} refused UM's API key and secret ({(int)response.StatusCode} {response.StatusCode}) on GET {resource}. Check -Credential (user name: UM's API key; password: its API secret, from Network Admin > Ultimate Multisite > Settings > API & Webhooks) and that the API is enabled there.");
            }

            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                response.Dispose();
                throw new UmReadException(UmReadFailure.Rest, resource,
                    $"{Origin} has no {resource} (404): is Ultimate Multisite active on the network, with its API enabled, and is -UltimateMultisiteUri the network's main address?");
            }

            if (!response.IsSuccessStatusCode)
            {
                response.Dispose();
                throw new UmReadException(UmReadFailure.Rest, resource, $"GET {resource} ({Origin}) answered {(int)response.StatusCode} {response.ReasonPhrase}: {Short(body)}");
            }

            JToken parsed;
            try
            {
                parsed = JToken.Parse(body);
            }
            catch (JsonException ex)
            {
                response.Dispose();
                throw new UmReadException(UmReadFailure.UnreadableData, resource, $"GET {resource} ({Origin}) answered something that is not JSON: {Short(body)}", ex);
            }

            if (!(parsed is JArray array))
            {
                response.Dispose();
                throw new UmReadException(UmReadFailure.UnreadableData, resource, $"GET {resource} ({Origin}) answered {parsed.Type} instead of a list: {Short(body)}");
            }

            return (array, response);
        }

        private static long? Header(HttpResponseMessage response, string name) =>
            response.Headers.TryGetValues(name, out IEnumerable<string>? values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v : (long?)null;

        private UmReadException Truncated(string resource, string why) =>
            new UmReadException(UmReadFailure.Truncated, resource, $"GET {resource} ({Origin}) cannot be read completely: {why}. Nothing was planned from a partial list.");

        private static string Short(string text)
        {
            string t = text.Trim();
            return t.Length > 200 ? t.Substring(0, 200) + "…" : t;
        }

        internal static bool IsLoopback(Uri uri) =>
            uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? address) && IPAddress.IsLoopback(address));
    }
}
