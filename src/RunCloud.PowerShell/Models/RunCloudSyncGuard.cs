namespace RunCloud.PowerShell.Models
{
    /// <summary>A guard's verdict on a target: Pass, Warn, or Block (a blocked target is never applied).</summary>
    public sealed class RunCloudSyncGuard
    {
        public RunCloudSyncGuard(string name, string verdict, string message)
        {
            Name = name;
            Verdict = verdict;
            Message = message;
        }

        public string Name { get; }
        public string Verdict { get; }
        public string Message { get; }
        public override string ToString() => $"{Name}: {Verdict} ({Message})";
    }
}
