namespace RunCloud.PowerShell.Models
{
    /// <summary>A web app's SSL mode: Basic (one certificate for all its names) or Advanced (one per domain).</summary>
    public sealed class RunCloudSslMode
    {
        public long ServerId { get; set; }
        public long WebAppId { get; set; }

        /// <summary>Basic or Advanced.</summary>
        public string Mode { get; set; } = "Basic";

        public bool AutoSsl { get; set; }

        /// <summary>True when this call switched the mode; false when it already was so.</summary>
        public bool Changed { get; set; }

        public override string ToString() => Mode;
    }
}
