namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>A name the web app should serve, the way UM's RunCloud integration adds it (type alias).</summary>
    public sealed class UmDesiredName
    {
        public string Name { get; set; } = string.Empty;

        /// <summary>www.&lt;name&gt; too, by the network's auto_create_www_subdomain (never for a name that starts with www.).</summary>
        public bool Www { get; set; }

        /// <summary>non-www when Www (UM's integration sends redirection non-www), else none.</summary>
        public string Redirection { get; set; } = "none";

        public UmOrigin Origin { get; set; } = new UmOrigin();

        public override string ToString() => Name;
    }
}
