using System;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>A plan file that cannot be applied as it is.</summary>
    internal sealed class PlanFileException : Exception
    {
        public PlanFileException(string message) : base(message) { }
    }
}
