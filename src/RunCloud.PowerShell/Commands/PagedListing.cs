using System;
using System.Collections.Generic;
using System.Management.Automation;
using Newtonsoft.Json.Linq;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Streams a listing to the pipeline page by page through the Api layer's page iterator (perPage 40), honouring
    /// -First and -Skip without fetching more pages than needed, and showing progress when the list spans more than one
    /// page: what the Get- cmdlets share.
    /// </summary>
    internal static class PagedListing
    {
        /// <param name="cmdlet">The cmdlet writing the items (its -First, -Skip and -IncludeTotalCount).</param>
        /// <param name="connection">The connection the items were read through: each item remembers it.</param>
        /// <param name="open">Opens the listing at a given first page.</param>
        /// <param name="map">One item from its JSON (<see cref="ItemMap{T}"/>: the cmdlets, outside this assembly, never name a JSON type).</param>
        /// <param name="filter">Which items to write; null writes all.</param>
        /// <param name="activity">The progress activity.</param>
        /// <returns>True when every page was read (not cut short by -First), so a name not seen is not there.</returns>
        public static bool Write<T>(RunCloudApiCmdlet cmdlet, RunCloudConnection connection, Func<int, PageIterator> open, ItemMap<T> map,
            Func<T, bool>? filter, string activity)
        {
            PagingParameters? paging = cmdlet.PagingParameters;
            ulong skip = paging?.Skip ?? 0;
            ulong first = paging?.First ?? ulong.MaxValue;
            if (first == 0) return false;
            int perPage = RunCloudApiClient.MaxPerPage;
            int startPage = 1;
            ulong seen = 0;
            ulong written = 0;
            if (filter == null && skip >= (ulong)perPage)
            {
                startPage = (int)(skip / (ulong)perPage) + 1; // jump straight to the page holding the first wanted item
                seen = (ulong)(startPage - 1) * (ulong)perPage;
            }

            PageIterator pages = open(startPage);
            var progress = new ProgressRecord(Math.Abs(activity.GetHashCode() % 100000) + 1, activity, "Reading page 1");
            bool showedProgress = false;
            try
            {
                IReadOnlyList<JObject>? items;
                while ((items = cmdlet.Run(ct => pages.NextAsync(ct))) != null)
                {
                    int current = pages.Page;
                    if (pages.TotalPages > 1)
                    {
                        // A new record each time: hosts may keep the object, so reusing one would rewrite history.
                        progress = new ProgressRecord(progress.ActivityId, activity, $"Page {current} of {pages.TotalPages}")
                        {
                            PercentComplete = Math.Min(100, current * 100 / pages.TotalPages.Value),
                        };
                        cmdlet.WriteProgress(progress);
                        showedProgress = true;
                    }

                    if (paging != null && paging.IncludeTotalCount && current == 1 && filter == null)
                    {
                        cmdlet.WriteObject(paging.NewTotalCount((ulong)(pages.Total ?? items.Count), 1.0));
                    }

                    foreach (JObject item in items)
                    {
                        T value;
                        try
                        {
                            value = map.Map(item);
                        }
                        catch (InvalidResponseDataException ex)
                        {
                            // One malformed item (a control character in a name, an id that is not a number) is an
                            // invalid item: reported with its id, the rest of the listing still written.
                            cmdlet.WriteError(ErrorRecords.FromApi(RunCloudApiException.InvalidData(ex, "GET", null), ServerText.Escape(item["id"]?.ToString())));
                            continue;
                        }

                        if (value is IConnectionBound bound) bound.Connection = connection;
                        if (filter != null && !filter(value)) continue;
                        if (seen++ < skip) continue;
                        cmdlet.WriteObject(value);
                        if (++written >= first) return false; // cut short by -First: unseen names may still be there
                    }
                }

                return true;
            }
            finally
            {
                if (showedProgress)
                {
                    cmdlet.WriteProgress(new ProgressRecord(progress.ActivityId, activity, "Done") { RecordType = ProgressRecordType.Completed });
                }
            }
        }
    }
}
