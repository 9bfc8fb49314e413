namespace RunCloud.PowerShell.Models
{
    /// <summary>One domain of a plan: its id on RunCloud and its name.</summary>
    public sealed class RunCloudPlannedDomain
    {
        public RunCloudPlannedDomain(long id, string name, bool isPrimary = false)
        {
            Id = id;
            Name = name;
            IsPrimary = isPrimary;
        }

        public long Id { get; }
        public string Name { get; }
        public bool IsPrimary { get; }
        public override string ToString() => $"{Name} (id {Id})";
    }
}
