Attribute VB_Name = "PerfevalRibbon"
' The ribbon's one callback. Every button of the perfeval tab calls OnAction, which passes the pressed
' control's id to Python; Python decides what the id means, so a new button needs no new VBA.
' Source of truth for the add-in's VBA: the build copies this file into perfeval.xlam unchanged.
Option Explicit

Public Sub OnAction(control As IRibbonControl)
    If ActiveWorkbook Is Nothing Then
        ' RunPython needs an active workbook; say so here, in Chinese, without starting Python.
        MsgBox Unhex("8BF7 5148 6253 5F00 7528 7EE9 6548 81EA 8BC4 6A21 677F 586B 5199 7684 5DE5 4F5C 7C3F FF0C 518D 70B9 51FB 6B64 6309 94AE 3002"), _
            vbInformation, Unhex("7EE9 6548 81EA 8BC4")
        Exit Sub
    End If
    RunPython "import perfeval.excel.ribbon as ribbon; ribbon.on_action('" & control.Id & "')"
End Sub

' VBA source is stored in the project's ANSI code page, so Chinese text is kept as hex code points.
Private Function Unhex(codes As String) As String
    Dim part As Variant
    For Each part In Split(codes, " ")
        Unhex = Unhex & ChrW(CLng("&H" & part))
    Next part
End Function
