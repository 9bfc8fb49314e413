namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>A live site host that a wildcard already on the web app serves: not added as a name of its own, never removed either.</summary>
    public sealed class UmCoveredName
    {
        public string Name { get; set; } = string.Empty;

        /// <summary>The wildcard on the app that covers it, e.g. *.network.tld.</summary>
        public string Wildcard { get; set; } = string.Empty;

        public UmOrigin Origin { get; set; } = new UmOrigin();

        public override string ToString() => Name + " (" + Wildcard + ")";
    }
}
