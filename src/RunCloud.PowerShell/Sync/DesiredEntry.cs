namespace RunCloud.PowerShell.Sync
{
    /// <summary>One entry of the desired list as the user gave it; <see cref="Problem"/> is set when it was already refused while reading (not a domain at all).</summary>
    internal sealed class DesiredEntry
    {
        public DesiredEntry(string raw, string? problem = null)
        {
            Raw = raw;
            Problem = problem;
        }

        public string Raw { get; }

        public string? Problem { get; }

        public override string ToString() => Raw;
    }
}
