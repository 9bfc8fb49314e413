namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>A mapped name that is deliberately not served, and why.</summary>
    public sealed class UmNotServedName
    {
        public string Name { get; set; } = string.Empty;

        public UmNotServedReason Reason { get; set; }

        /// <summary>The reason in words, for the plan and the log.</summary>
        public string Detail { get; set; } = string.Empty;

        public UmOrigin Origin { get; set; } = new UmOrigin();

        public override string ToString() => Name + ": " + Detail;
    }
}
