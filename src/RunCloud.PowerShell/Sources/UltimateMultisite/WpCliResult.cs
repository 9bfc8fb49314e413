namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>What one WP-CLI run printed and how it ended.</summary>
    internal sealed class WpCliResult
    {
        public WpCliResult(int exitCode, string stdout, string stderr)
        {
            ExitCode = exitCode;
            Stdout = stdout;
            Stderr = stderr;
        }

        public int ExitCode { get; }
        public string Stdout { get; }
        public string Stderr { get; }
    }
}
