using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace RunCloud.PowerShell.Api
{
    /// <summary>One page of a RunCloud list answer.</summary>
    internal sealed class ApiPage
    {
        public ApiPage(JArray data, int page, int perPage, int? total, int? totalPages)
        {
            Data = data;
            Page = page;
            PerPage = perPage;
            Total = total;
            TotalPages = totalPages;
        }

        public JArray Data { get; }
        public int Page { get; }
        public int PerPage { get; }
        public int? Total { get; }
        public int? TotalPages { get; }

        /// <summary>
        /// With meta: more while this page is before total_pages and was not empty (a short page does not end the list
        /// when more are announced: a server may cap perPage). Without meta: a short or empty page ends it.
        /// </summary>
        public bool HasMore => Data.Count > 0 && (TotalPages.HasValue ? Page < TotalPages.Value : Data.Count >= PerPage);
    }
}
