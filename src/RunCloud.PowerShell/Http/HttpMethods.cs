using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text;

namespace RunCloud.PowerShell.Http
{
    internal static class HttpMethods
    {
        /// <summary>Methods that can be re-sent safely after an ambiguous failure.</summary>
        public static bool IsIdempotent(string method) =>
            method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" || method == "OPTIONS";
    }
}
