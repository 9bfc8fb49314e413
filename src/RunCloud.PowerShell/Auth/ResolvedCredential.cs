using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security;

namespace RunCloud.PowerShell.Auth
{
    /// <summary>What Connect-RunCloud found: the credential, where it came from (never its value) and the id defaults.</summary>
    internal sealed class ResolvedCredential
    {
        public ResolvedCredential(RunCloudCredential credential, string source)
        {
            Credential = credential;
            Source = source;
        }

        public RunCloudCredential Credential { get; }
        public string Source { get; }
        public long? ServerId { get; set; }
        public long? WebAppId { get; set; }
        public List<string> Notes { get; } = new List<string>();
        public List<string> Warnings { get; } = new List<string>();
    }
}
