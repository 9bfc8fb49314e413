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
using RunCloud.PowerShell.Models;

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

        /// <summary>The contract says not to trust meta alone: a short or empty page also ends the list.</summary>
        public bool HasMore => Data.Count >= PerPage && Data.Count > 0 && (!TotalPages.HasValue || Page < TotalPages.Value);
    }
}
