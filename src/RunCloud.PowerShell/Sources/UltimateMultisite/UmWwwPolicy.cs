namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>UM's auto_create_www_subdomain setting: when a mapped name also gets its www. variant.</summary>
    public enum UmWwwPolicy
    {
        /// <summary>Every name (UM's default).</summary>
        Always,

        /// <summary>Apex names only, by UM's own rule: two labels, or three ending in .co.uk, .com.au, .co.nz, .com.br or .co.in.</summary>
        MainOnly,

        /// <summary>No name.</summary>
        Never,
    }
}
