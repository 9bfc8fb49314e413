using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace RunCloud.PowerShell.Models
{
    public enum RunCloudAuthenticationKind
    {
        /// <summary>API key and API secret, HTTP Basic (API v2).</summary>
        ApiKey,

        /// <summary>API token, HTTP Bearer (API v3, or v2 workspaces).</summary>
        Token,
    }
}
