using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using RunCloud.PowerShell.Http;

namespace RunCloud.PowerShell.Api
{
    /// <summary>
    /// The module's one paging loop: every listing (the Get cmdlets, finding and listing domains, the id completers)
    /// reads its pages through it. It does not trust the server's paging:
    /// with <c>meta.pagination</c> it goes on while the page read is before <c>total_pages</c> and was not empty
    /// (a short page does not end the list when more pages are announced: a server may cap perPage); without meta a
    /// short or empty page ends it. Items are de-duplicated by id; a page that repeats an earlier page, or a later page
    /// announcing more pages than the first, is an invalid response. The number of pages read follows what the first page
    /// announced (a 12,000-domain app is 300 pages), up to a sane bound, <see cref="MaxItems"/> items
    /// (<see cref="MaxPages"/> pages of 40): an announcement past it is refused before reading on, and a list without
    /// meta that never ends stops there; both errors name the bound.
    /// </summary>
    internal sealed class PageIterator
    {
        /// <summary>The most items one listing reads: far above any real web app, far below an endless loop.</summary>
        public const int MaxItems = 100000;

        /// <summary>The hard cap in pages: <see cref="MaxItems"/> at 40 a page.</summary>
        public const int MaxPages = MaxItems / RunCloudApiClient.MaxPerPage;

        private readonly RunCloudApiClient _api;
        private readonly string _path;
        private readonly IDictionary<string, string>? _query;
        private readonly HashSet<long> _seenIds = new HashSet<long>();
        private readonly Dictionary<string, int> _pageBySignature = new Dictionary<string, int>(System.StringComparer.Ordinal);
        private int _next;
        private int _pagesRead;
        private bool _done;

        public PageIterator(RunCloudApiClient api, string path, IDictionary<string, string>? query = null, int firstPage = 1)
        {
            _api = api;
            _path = path;
            _query = query;
            _next = firstPage < 1 ? 1 : firstPage;
        }

        public int PerPage => RunCloudApiClient.MaxPerPage;

        /// <summary>The number of pages the first page read announced, when the server sends meta.</summary>
        public int? TotalPages { get; private set; }

        /// <summary>The number of items the first page read announced, when the server sends meta.</summary>
        public int? Total { get; private set; }

        /// <summary>The number of the page last read (0 before the first).</summary>
        public int Page { get; private set; }

        /// <summary>Reads the next page: its items not seen on an earlier page, or null once the list has ended.</summary>
        public async Task<IReadOnlyList<JObject>?> NextAsync(CancellationToken ct)
        {
            if (_done) return null;
            int page = _next;
            ApiPage result = await _api.GetPageAsync(_path, page, PerPage, ct, _query).ConfigureAwait(false);
            _pagesRead++;
            Page = page;
            if (result.TotalPages.HasValue)
            {
                if (!TotalPages.HasValue)
                {
                    TotalPages = result.TotalPages;
                    Total = result.Total;
                    if (TotalPages.Value - page + 1 > MaxPages || (Total.HasValue && Total.Value > MaxItems))
                    {
                        string what = Total.HasValue ? $"{Total.Value.ToString("N0", CultureInfo.InvariantCulture)} items in {TotalPages.Value} pages" : $"{TotalPages.Value} pages";
                        throw Invalid($"RunCloud's answer to GET {_path} announces {what}, more than the {MaxItems.ToString("N0", CultureInfo.InvariantCulture)} items ({MaxPages} pages of {PerPage}) this module reads in one listing. "
                            + "Nothing was done with it: narrow the listing (for example with -Name), or check -BaseUri: no real web app has that many.");
                    }
                }
                else if (result.TotalPages.Value > TotalPages.Value)
                {
                    throw Invalid($"RunCloud's answer to GET {_path} announced {TotalPages.Value} page(s), then page {page} announced {result.TotalPages.Value}: the list changed while it was read or the server's paging is broken. Nothing was done with the partial list; run the command again.");
                }
            }

            List<JObject> objects = result.Data.OfType<JObject>().ToList();
            string? signature = Signature(objects);
            if (signature != null)
            {
                if (_pageBySignature.TryGetValue(signature, out int earlier))
                {
                    throw Invalid($"RunCloud's page {page} of GET {_path} repeats page {earlier} (the same items): the server's paging is broken. Nothing was done with the list; run the command again.");
                }

                _pageBySignature[signature] = page;
            }

            var fresh = new List<JObject>(objects.Count);
            foreach (JObject item in objects)
            {
                long? id = Id(item);
                if (id.HasValue && !_seenIds.Add(id.Value)) continue; // shifted onto this page by a change while listing
                fresh.Add(item);
            }

            bool more = TotalPages.HasValue
                ? page < TotalPages.Value && objects.Count > 0
                : objects.Count >= PerPage;
            if (more && _pagesRead >= MaxPages)
            {
                throw Invalid($"GET {_path} goes on past {MaxPages} pages ({MaxItems.ToString("N0", CultureInfo.InvariantCulture)} items), the most this module reads in one listing: the server's paging looks broken (or the list is far larger than any account). Nothing was done with the partial list.");
            }

            _done = !more;
            _next = page + 1;
            return fresh;
        }

        /// <summary>Reads every remaining page.</summary>
        public async Task<List<JObject>> ReadAllAsync(CancellationToken ct)
        {
            var all = new List<JObject>();
            IReadOnlyList<JObject>? page;
            while ((page = await NextAsync(ct).ConfigureAwait(false)) != null) all.AddRange(page);
            return all;
        }

        private static long? Id(JObject item)
        {
            JToken? id = item["id"];
            if (id == null) return null;
            if (id.Type == JTokenType.Integer) return id is JValue v && v.Value is System.Numerics.BigInteger ? (long?)null : (long)id;
            return long.TryParse((string?)id, NumberStyles.Integer, CultureInfo.InvariantCulture, out long parsed) ? parsed : (long?)null;
        }

        /// <summary>The page's ids in order; null for an empty page or one with an item without id (it cannot be compared).</summary>
        private static string? Signature(List<JObject> objects)
        {
            if (objects.Count == 0) return null;
            var ids = new string[objects.Count];
            for (int i = 0; i < objects.Count; i++)
            {
                long? id = Id(objects[i]);
                if (!id.HasValue) return null;
                ids[i] = id.Value.ToString(CultureInfo.InvariantCulture);
            }

            return string.Join(",", ids);
        }

        private RunCloudApiException Invalid(string message) =>
            new RunCloudApiException(ErrorIds.InvalidResponse, ErrorCategory.InvalidResult, message,
                "Run the command again; if it persists, RunCloud (or a proxy in between) is paging the list wrongly.",
                method: "GET", path: _path);
    }
}
