using System.Management.Automation;
using RunCloud.PowerShell.Http;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>The Commands layer is the only one that builds ErrorRecords: lower layers throw typed exceptions.</summary>
    internal static class ErrorRecords
    {
        /// <summary>The error record a cmdlet writes for a failed call: ErrorId, category, target, and the hint as the recommended action.</summary>
        public static ErrorRecord FromApi(RunCloudApiException ex, object? target)
        {
            var record = new ErrorRecord(ex, ex.ErrorId, ex.Category, target);
            if (!string.IsNullOrEmpty(ex.Hint))
            {
                record.ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = ex.Hint };
            }

            return record;
        }
    }
}
