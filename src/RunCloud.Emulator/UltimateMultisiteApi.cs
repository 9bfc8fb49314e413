using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Newtonsoft.Json.Linq;

namespace RunCloud.Emulator
{
    /// <summary>
    /// An Ultimate Multisite network's REST API, as UM serves it on the network's own address, answered by the emulator
    /// on its address under /wp-json/: GET /wp-json/wu/v2/site and /wp-json/wu/v2/domain, HTTP Basic with UM's API key and
    /// secret, paged the way UM 2.4.13+ pages (page, per_page up to 100, X-WP-Total / X-WP-TotalPages) or, with
    /// <see cref="LegacyPaging"/>, the way up to 2.4.12 did (number, offset, no totals). Lets a script (or a demo on a
    /// machine without the network's database) read a UM network as RunCloud.PowerShell's -UltimateMultisiteUri does.
    /// Not configured (<see cref="Enabled"/> false), /wp-json/wu/ answers 404 rest_no_route, as a site without UM does.
    /// </summary>
    public sealed class UltimateMultisiteApi
    {
        /// <summary>UM's largest per_page.</summary>
        public const int MaxPerPage = 100;

        private readonly object _lock = new object();
        private List<EmulatedUmSite> _sites = new List<EmulatedUmSite>();
        private List<EmulatedUmMapping> _mappings = new List<EmulatedUmMapping>();

        internal UltimateMultisiteApi()
        {
            ApiKey = "um-key-" + Random(8);
            ApiSecret = "um-secret-" + Random(16);
        }

        /// <summary>UM's API key (Settings &gt; API &amp; Webhooks): the user name of the Basic credential.</summary>
        public string ApiKey { get; private set; }

        /// <summary>UM's API secret: the password of the Basic credential.</summary>
        public string ApiSecret { get; private set; }

        /// <summary>A network was set: /wp-json/wu/v2/ answers.</summary>
        public bool Enabled { get; private set; }

        /// <summary>Page as UM up to 2.4.12 did: number (default 100) and offset, no totals in headers.</summary>
        public bool LegacyPaging { get; set; }

        /// <summary>Copies of the sites.</summary>
        public IReadOnlyList<EmulatedUmSite> Sites
        {
            get { lock (_lock) return _sites.Select(s => s.Clone()).ToList(); }
        }

        /// <summary>Copies of the mapping rows.</summary>
        public IReadOnlyList<EmulatedUmMapping> Mappings
        {
            get { lock (_lock) return _mappings.Select(m => m.Clone()).ToList(); }
        }

        /// <summary>
        /// Replaces the network: its sites ({prefix}blogs) and UM's mapping rows. Site ids and mapping ids must be unique and
        /// positive, domains host names; a mapping may name a site that does not exist (as a row of a deleted site does).
        /// </summary>
        public void Set(IEnumerable<EmulatedUmSite> sites, IEnumerable<EmulatedUmMapping> mappings, string? apiKey = null, string? apiSecret = null)
        {
            List<EmulatedUmSite> s = (sites ?? throw new ArgumentNullException(nameof(sites))).Select(x => x.Clone()).OrderBy(x => x.BlogId).ToList();
            List<EmulatedUmMapping> m = (mappings ?? throw new ArgumentNullException(nameof(mappings))).Select(x => x.Clone()).OrderBy(x => x.Id).ToList();
            if (s.Count == 0) throw new ArgumentException("A network has at least one site (its main site, blog 1).", nameof(sites));
            foreach (EmulatedUmSite site in s)
            {
                if (site.BlogId <= 0 || site.SiteId <= 0) throw new ArgumentException($"Site '{site.Domain}': BlogId and SiteId must be positive.", nameof(sites));
                if (string.IsNullOrWhiteSpace(site.Domain)) throw new ArgumentException($"Site {site.BlogId}: Domain is empty.", nameof(sites));
                site.Domain = site.Domain.Trim().ToLowerInvariant();
                if (string.IsNullOrEmpty(site.Path)) site.Path = "/";
            }

            Duplicate(s.Select(x => x.BlogId), "site BlogId", nameof(sites));
            foreach (EmulatedUmMapping row in m)
            {
                if (row.Id <= 0 || row.BlogId <= 0) throw new ArgumentException($"Mapping '{row.Domain}': Id and BlogId must be positive.", nameof(mappings));
                if (string.IsNullOrWhiteSpace(row.Domain)) throw new ArgumentException($"Mapping {row.Id}: Domain is empty.", nameof(mappings));
                row.Domain = row.Domain.Trim().ToLowerInvariant();
                if (!s_stages.Contains(row.Stage)) throw new ArgumentException($"Mapping {row.Id}: stage '{row.Stage}' is not one of UM's ({string.Join(", ", s_stages)}).", nameof(mappings));
            }

            Duplicate(m.Select(x => x.Id), "mapping Id", nameof(mappings));
            var domains = m.GroupBy(x => x.Domain, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (domains != null) throw new ArgumentException($"The domain {domains.Key} is mapped twice: UM's table keeps a domain once (a unique key).", nameof(mappings));
            lock (_lock)
            {
                _sites = s;
                _mappings = m;
                if (!string.IsNullOrEmpty(apiKey)) ApiKey = apiKey!;
                if (!string.IsNullOrEmpty(apiSecret)) ApiSecret = apiSecret!;
                Enabled = true;
            }
        }

        /// <summary>Forgets the network: /wp-json/wu/ answers 404 again.</summary>
        public void Clear()
        {
            lock (_lock)
            {
                _sites = new List<EmulatedUmSite>();
                _mappings = new List<EmulatedUmMapping>();
                Enabled = false;
            }
        }

        private static readonly string[] s_stages = { "checking-dns", "checking-ssl-cert", "done-without-ssl", "done", "failed", "ssl-failed" };

        private static void Duplicate(IEnumerable<long> ids, string what, string parameter)
        {
            var twice = ids.GroupBy(i => i).FirstOrDefault(g => g.Count() > 1);
            if (twice != null) throw new ArgumentException($"The {what} {twice.Key} is given twice.", parameter);
        }

        private static string Random(int bytes)
        {
            var data = new byte[bytes];
            using (var rng = RandomNumberGenerator.Create()) rng.GetBytes(data);
            return BitConverter.ToString(data).Replace("-", string.Empty).ToLowerInvariant();
        }

        /// <summary>The answer to one GET under /wp-json/ (path after it, the query, the Authorization header).</summary>
        internal ApiResult Answer(string method, string path, Dictionary<string, string> query, string? authorization)
        {
            string route = path.Trim('/');
            bool listRoute = route == "wu/v2/site" || route == "wu/v2/domain";
            if (!Enabled || !route.StartsWith("wu/", StringComparison.Ordinal) || !listRoute)
            {
                return WpError(404, "rest_no_route", "No route was found matching the URL and request method.");
            }

            if (method != "GET") return WpError(404, "rest_no_route", "No route was found matching the URL and request method.");
            if (!Authorized(authorization)) return WpError(401, "rest_forbidden", "Sorry, you are not allowed to do that.");

            List<JObject> items;
            lock (_lock) items = route == "wu/v2/site" ? _sites.Select(SiteJson).ToList() : _mappings.Select(MappingJson).ToList();

            if (LegacyPaging)
            {
                // Up to 2.4.12: `number` (default 100) items from `offset`; no totals.
                int number = Int(query, "number") ?? 100;
                int offset = Int(query, "offset") ?? 0;
                if (number < 1 || offset < 0) return WpError(400, "rest_invalid_param", "Invalid parameter(s): number, offset");
                return new ApiResult(200, new JArray(items.Skip(offset).Take(number)));
            }

            int perPage = Int(query, "per_page") ?? 10;
            int page = Int(query, "page") ?? 1;
            if (perPage < 1 || perPage > MaxPerPage) return WpError(400, "rest_invalid_param", $"Invalid parameter(s): per_page (per_page must be between 1 ({MaxPerPage} at most))");
            if (page < 1) return WpError(400, "rest_invalid_param", "Invalid parameter(s): page");
            int pages = Math.Max(1, (items.Count + perPage - 1) / perPage);
            if (page > pages && items.Count > 0) return WpError(400, "rest_post_invalid_page_number", "The page number requested is larger than the number of pages available.");
            var result = new ApiResult(200, new JArray(items.Skip((page - 1) * perPage).Take(perPage)));
            result.Headers["X-WP-Total"] = items.Count.ToString(CultureInfo.InvariantCulture);
            result.Headers["X-WP-TotalPages"] = pages.ToString(CultureInfo.InvariantCulture);
            return result;
        }

        private bool Authorized(string? header)
        {
            if (header == null || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return false;
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Substring(6).Trim()));
            }
            catch (FormatException)
            {
                return false;
            }

            lock (_lock) return string.Equals(decoded, ApiKey + ":" + ApiSecret, StringComparison.Ordinal);
        }

        private static int? Int(Dictionary<string, string> query, string name) =>
            query.TryGetValue(name, out string? v) && int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : (int?)null;

        private static ApiResult WpError(int status, string code, string message) =>
            new ApiResult(status, new JObject { ["code"] = code, ["message"] = message, ["data"] = new JObject { ["status"] = status } });

        /// <summary>A site as UM's wu/v2/site lists it (the {prefix}blogs columns the sync reads).</summary>
        private static JObject SiteJson(EmulatedUmSite s) => new JObject
        {
            ["blog_id"] = s.BlogId, ["site_id"] = s.SiteId, ["domain"] = s.Domain, ["path"] = s.Path,
            ["archived"] = s.Archived ? 1 : 0, ["spam"] = s.Spam ? 1 : 0, ["deleted"] = s.Deleted ? 1 : 0,
        };

        /// <summary>A row as UM's wu/v2/domain lists it: typed values, active the raw column.</summary>
        private static JObject MappingJson(EmulatedUmMapping m) => new JObject
        {
            ["id"] = m.Id, ["blog_id"] = m.BlogId, ["domain"] = m.Domain, ["active"] = m.Active, ["primary_domain"] = m.Primary,
            ["secure"] = m.Secure, ["stage"] = m.Stage,
            ["date_created"] = m.DateCreated.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            ["date_modified"] = m.DateModified.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        };
    }
}
