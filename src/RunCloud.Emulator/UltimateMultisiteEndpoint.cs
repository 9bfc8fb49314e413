using System;
using System.Management.Automation;

namespace RunCloud.Emulator
{
    /// <summary>
    /// Where the emulator serves an Ultimate Multisite network's REST API, and the credential to read it with: what
    /// RunCloud.PowerShell's -UltimateMultisiteUri and -UltimateMultisiteCredential take.
    /// </summary>
    public sealed class UltimateMultisiteEndpoint
    {
        /// <summary>The network's address (the emulator's): its REST API is under /wp-json/wu/v2/.</summary>
        public Uri? Uri { get; set; }

        /// <summary>UM's API key (user name) and API secret (password), as Basic credentials.</summary>
        public PSCredential? Credential { get; set; }

        public int Sites { get; set; }

        public int Mappings { get; set; }

        /// <summary>Paged as UM up to 2.4.12 did (number and offset).</summary>
        public bool LegacyPaging { get; set; }

        public override string ToString() => $"{Uri}wp-json/wu/v2/ ({Sites} site(s), {Mappings} mapping(s))";
    }
}
