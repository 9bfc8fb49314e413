using System;
using System.Management.Automation;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Lets a switch bind from text, as an Import-Csv column gives it: true/false, 1/0, yes/no, on/off (an empty cell
    /// is false). PowerShell alone would take any non-empty text, "false" included, as true.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    internal sealed class YesNoTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object? value = inputData is PSObject pso ? pso.BaseObject : inputData;
            if (!(value is string text)) return inputData;
            switch (text.Trim().ToLowerInvariant())
            {
                case "true": case "1": case "yes": case "y": case "on": case "$true":
                    return new SwitchParameter(true);
                case "false": case "0": case "no": case "n": case "off": case "$false": case "":
                    return new SwitchParameter(false);
                default:
                    throw new ArgumentTransformationMetadataException(
                        $"'{text}' is not a yes/no value. Use true or false (1/0, yes/no also work), e.g. a CSV column Www with true or false.");
            }
        }
    }
}
