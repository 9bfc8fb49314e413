using System;

namespace RunCloud.PowerShell.Models
{
    /// <summary>
    /// A value in RunCloud's answer that the contract does not allow (wrong type, out of range, a control character in a
    /// name). Thrown by <see cref="Json"/>; the Api layer turns it into RunCloudInvalidResponse with the request's method
    /// and path (Models depends on nothing, so it cannot build that exception itself).
    /// </summary>
    public sealed class InvalidResponseDataException : Exception
    {
        public InvalidResponseDataException(string field, string message)
            : base(message)
        {
            Field = field;
        }

        /// <summary>The field as the answer names it, e.g. id, name, meta.pagination.total_pages.</summary>
        public string Field { get; }
    }
}
