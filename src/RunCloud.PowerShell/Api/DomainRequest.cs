using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;

namespace RunCloud.PowerShell.Api
{
    /// <summary>What to ask for when adding a domain (the body of POST .../domains).</summary>
    internal sealed class DomainRequest
    {
        public string Name { get; set; } = string.Empty;
        public bool Www { get; set; }
        public string Redirection { get; set; } = "none";
        public string Type { get; set; } = "alias";

        public JObject ToBody() => new JObject { ["name"] = Name, ["www"] = Www, ["redirection"] = Redirection, ["type"] = Type };
    }
}
