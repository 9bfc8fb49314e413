using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Newtonsoft.Json.Linq;

namespace RunCloud.Emulator
{
    /// <summary>Lists: page, perPage, search, sortColumn and sortDirection, and meta.pagination as RunCloud answers it.</summary>
    public sealed partial class RunCloudEmulator
    {
        private static ApiResult Paginate<T>(Call c, IEnumerable<T> items, Func<T, string> name, Func<T, JObject> json,
            Func<T, string>? secondSearchField = null)
        {
            var o = c.Emu._options;
            var list = items.ToList();
            if (c.Input("search") is string search && search.Length > 0)
                list = list.Where(x => name(x).IndexOf(search, StringComparison.OrdinalIgnoreCase) >= 0
                    || (secondSearchField != null && secondSearchField(x).IndexOf(search, StringComparison.OrdinalIgnoreCase) >= 0)).ToList();

            // sortColumn: any field of the item's JSON (id, name, created_at, type...); unknown columns are ignored.
            // Without one, only the page's items are turned into JSON: building all of them for every page made a
            // 10,000-domain listing cost O(n^2) (about 0.1 s a page) and swamped what the benchmarks measure.
            List<JObject> objs;
            bool sorted = false;
            if (o.IgnoreSort)
            {
                objs = null!;
            }
            else if (c.Input("sortColumn") is string col && col.Length > 0 && list.Count > 0 && json(list[0]).Property(col) != null)
            {
                objs = list.Select(json).ToList();
                bool desc = c.Input("sortDirection") is string dir && dir.Equals("desc", StringComparison.OrdinalIgnoreCase);
                Func<JObject, IComparable> key = x => x[col] is JValue v && v.Value is IComparable cmp ? (v.Type == JTokenType.String ? (IComparable)((string)v!)!.ToLowerInvariant() : cmp) : "";
                objs = (desc ? objs.OrderByDescending(key) : objs.OrderBy(key)).ToList();
                sorted = true;
            }
            else
            {
                objs = null!;
                if (c.Input("sortDirection") is string dir2 && dir2.Equals("desc", StringComparison.OrdinalIgnoreCase))
                    list.Reverse();
            }

            int defaultPer = c.Version == "v2" ? o.DefaultPerPageV2 : o.DefaultPerPageV3;
            int per = defaultPer;
            if (c.Input("perPage") is string pp && int.TryParse(pp, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ppn) && ppn > 0)
                per = Math.Min(ppn, o.MaxPerPage); // bigger than the documented maximum: clamped, not refused
            int page = 1;
            if (c.Input("page") is string pg && int.TryParse(pg, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pgn) && pgn > 0)
                page = pgn;

            int total = list.Count;
            int totalPages = Math.Max(1, (total + per - 1) / per);
            int skip = (int)Math.Min(int.MaxValue, (long)(page - 1) * per);
            var pageItems = sorted ? objs.Skip(skip).Take(per).ToList() : list.Skip(skip).Take(per).Select(json).ToList();

            var links = new JObject();
            if (page > 1) links["previous"] = PageLink(c, Math.Min(page - 1, totalPages));
            if (page < totalPages) links["next"] = PageLink(c, page + 1);

            return Ok(new JObject
            {
                ["data"] = new JArray(pageItems),
                ["meta"] = new JObject
                {
                    ["pagination"] = new JObject
                    {
                        ["total"] = total, ["count"] = pageItems.Count, ["per_page"] = per, ["current_page"] = page,
                        ["total_pages"] = totalPages, ["links"] = links,
                    },
                },
            });
        }

        private static string PageLink(Call c, int page)
        {
            var q = new List<string>();
            if (c.Emu._options.LinksKeepQuery)
                q.AddRange(c.Query.Where(kv => !kv.Key.Equals("page", StringComparison.OrdinalIgnoreCase))
                    .Select(kv => Uri.EscapeDataString(kv.Key) + "=" + Uri.EscapeDataString(kv.Value)));
            q.Add("page=" + page.ToString(CultureInfo.InvariantCulture));
            return new Uri(c.Emu.BaseUri, "api/" + c.Version + "/" + c.ApiPath).AbsoluteUri + "?" + string.Join("&", q);
        }
    }
}
