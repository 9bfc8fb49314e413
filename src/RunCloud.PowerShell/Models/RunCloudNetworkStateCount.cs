namespace RunCloud.PowerShell.Models
{
    /// <summary>How many names are in one state (the summary's bars).</summary>
    public sealed class RunCloudNetworkStateCount
    {
        public string State { get; set; } = string.Empty;

        public int Count { get; set; }

        /// <summary>The share of all names, in percent (one decimal).</summary>
        public double Percent { get; set; }

        public override string ToString() => State + ": " + Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
